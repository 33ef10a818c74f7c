using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Endpoint metadata: creating POSTs that honour <c>Idempotency-Key</c>.</summary>
public sealed class IdempotentCreate;

/// <summary>
/// The shape of every JSON endpoint: bind, authorise (declared in Configure), run the handler inside
/// one tenant transaction that commits before the response is sent, and map the ErrorOr result to
/// HTTP in one place (<see cref="Problem"/>).
/// </summary>
public abstract class ApiEndpoint<TReq, TData> : Endpoint<TReq, Envelope<TData>> where TReq : notnull
{
    protected virtual int SuccessStatus => StatusCodes.Status200OK;

    /// <summary>False for handlers that manage their own transactions (e.g. calls to the WRK Platform between two).</summary>
    protected virtual bool Transactional => true;

    protected abstract Task<ErrorOr<TData>> HandleRequestAsync(TReq req, CancellationToken ct);

    public sealed override async Task HandleAsync(TReq req, CancellationToken ct)
    {
        var result = Transactional
            ? await UnitOfWork.RunAsync(Resolve<AppDbContext>(), () => HandleRequestAsync(req, ct), ct)
            : await HandleRequestAsync(req, ct);
        if (result.IsError)
        {
            await Problem.WriteAsync(HttpContext, result.Errors);
            return;
        }
        // Committed: the answer is written even if the client has gone (an idempotent retry replays it).
        if (result.Value is Success)
        {
            await Send.NoContentAsync(CancellationToken.None);
            return;
        }
        await Send.ResponseAsync(Envelope<TData>.Of(result.Value), SuccessStatus, CancellationToken.None);
    }

    /// <summary>Declares who may call: sessions holding one of these qualified roles (see <see cref="Roles"/>). API keys are refused.</summary>
    protected void Access(params string[] roles) => EndpointAccess.Declare(this, null, roles);

    /// <summary>As <see cref="Access"/>, and also API keys holding <paramref name="permission"/>.</summary>
    protected void AccessWithApiKey(string permission, params string[] roles) => EndpointAccess.Declare(this, permission, roles);

    protected void AnyUser(bool allowApiKeys = false) => EndpointAccess.DeclareAnyUser(this, allowApiKeys);

    protected void Idempotent() => Options(b => b.WithMetadata(new IdempotentCreate()));

    /// <summary>Anonymous callers allowed, but a bearer token (never an API key) is honoured when sent.</summary>
    protected void AnonymousOrUser()
    {
        AllowAnonymous();
        Options(b => b.WithMetadata(new OptionalBearer()));
    }
}

/// <summary>A list endpoint: <c>{ "data": [...], "meta": { "next_cursor", "limit" } }</c>.</summary>
public abstract class ListEndpoint<TReq, TItem> : Endpoint<TReq, ListEnvelope<TItem>> where TReq : PageQuery
{
    protected abstract Task<ErrorOr<Page<TItem>>> HandleRequestAsync(TReq req, CancellationToken ct);

    public sealed override async Task HandleAsync(TReq req, CancellationToken ct)
    {
        var result = await UnitOfWork.RunAsync(Resolve<AppDbContext>(), () => HandleRequestAsync(req, ct), ct);
        if (result.IsError)
        {
            await Problem.WriteAsync(HttpContext, result.Errors);
            return;
        }
        var page = result.Value;
        await Send.ResponseAsync(new ListEnvelope<TItem>(page.Items, new PageMeta(page.NextCursor, page.Limit)), 200, CancellationToken.None);
    }

    protected void Access(params string[] roles) => EndpointAccess.Declare(this, null, roles);

    protected void AccessWithApiKey(string permission, params string[] roles) => EndpointAccess.Declare(this, permission, roles);
}

internal static class EndpointAccess
{
    public static void Declare(BaseEndpoint endpoint, string? permission, string[] roles)
    {
        var requirement = new AccessRequirement(roles, permission);
        endpoint.Definition.Policy(p => p.AddRequirements(requirement));
        endpoint.Definition.Options(b => b.WithMetadata(requirement));
        Describe(endpoint, roles.Length > 0 || permission is not null);
    }

    public static void DeclareAnyUser(BaseEndpoint endpoint, bool allowApiKeys)
    {
        var requirement = new AnyUserRequirement(allowApiKeys);
        endpoint.Definition.Policy(p => p.AddRequirements(requirement));
        endpoint.Definition.Options(b => b.WithMetadata(requirement));
        Describe(endpoint, true);
    }

    private static void Describe(BaseEndpoint endpoint, bool forbiddenPossible) =>
        endpoint.Definition.Description(b =>
        {
            b.Produces(401, typeof(ProblemBody), Problem.ContentType);
            if (forbiddenPossible)
            {
                b.Produces(403, typeof(ProblemBody), Problem.ContentType);
            }
        }, clearDefaults: false);
}
