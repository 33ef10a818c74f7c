using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow05_SwitchWorkspace;

internal sealed class SwitchTenantEndpoint(SwitchTenantHandler handler) : ApiEndpoint<SwitchTenantRequest, TokenResponse>
{
    public override void Configure()
    {
        Post("/v1/auth/switch-tenant");
        AnyUser();
        Summary(s =>
        {
            s.Summary = "Flow 5 — switch workspace: new tokens scoped to another tenant the caller is a member of.";
            s.Responses[200] = "Tokens for the chosen workspace (a new session family).";
            s.Responses[400] = "Missing tenant_id.";
            s.Responses[404] = "not_found: no membership in that tenant (or it does not exist).";
            s.Responses[403] = "external_session: a session from an external identity provider switches workspace at the provider.";
        });
    }

    protected override Task<ErrorOr<TokenResponse>> HandleRequestAsync(SwitchTenantRequest req, CancellationToken ct) => handler.HandleAsync(req, ct);
}

internal sealed class MeEndpoint(MeHandler handler) : ApiEndpoint<EmptyRequest, MeResponse>
{
    public override void Configure()
    {
        Get("/v1/users/me");
        AnyUser();
        Summary(s =>
        {
            s.Summary = "Flow 5 — the caller, the active workspace and roles, and all memberships.";
            s.Responses[200] = "The caller.";
        });
    }

    protected override Task<ErrorOr<MeResponse>> HandleRequestAsync(EmptyRequest req, CancellationToken ct) => handler.HandleAsync(ct);
}
