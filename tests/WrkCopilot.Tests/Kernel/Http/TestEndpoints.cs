using ErrorOr;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

public sealed class CreateWidgetRequest
{
    public string Name { get; set; } = "";
}

public sealed record WidgetResponse(Guid Id, string Name);

/// <summary>
/// Test-only creating POST that honours Idempotency-Key: none of the production creating endpoints in scope may
/// (auth, API-key and invitation answers carry secrets). Mapped only by <see cref="IdempotencyApp"/>, through the
/// <c>Endpoints:AdditionalAssemblies</c> seam. Its audit row is the database effect the tests count.
/// </summary>
internal sealed class CreateWidgetEndpoint(AuditTrail audit, AppDbContext db) : ApiEndpoint<CreateWidgetRequest, WidgetResponse>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/test/widgets");
        AnyUser();
        Idempotent();
    }

    protected override async Task<ErrorOr<WidgetResponse>> HandleRequestAsync(CreateWidgetRequest req, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        audit.Record("widget_created", "widget", id, new { name = req.Name });
        await db.SaveChangesAsync(ct);
        return new WidgetResponse(id, req.Name);
    }
}

/// <summary>The app with this test assembly's endpoints mapped too.</summary>
public sealed class IdempotencyApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [new("Endpoints:AdditionalAssemblies:0", typeof(IdempotencyApp).Assembly.GetName().Name)];
}

public sealed class CreateChildRequest
{
    public Guid ParentId { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>Test-only creating POST under a parent resource, answering with a Location header.</summary>
internal sealed class CreateChildEndpoint(AuditTrail audit, AppDbContext db) : ApiEndpoint<CreateChildRequest, WidgetResponse>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/test/parents/{parentId}/children");
        AnyUser();
        Idempotent();
    }

    protected override async Task<ErrorOr<WidgetResponse>> HandleRequestAsync(CreateChildRequest req, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        audit.Record("child_created", "widget", id, new { parent = req.ParentId, name = req.Name });
        await db.SaveChangesAsync(ct);
        HttpContext.Response.Headers.Location = $"/v1/test/children/{id}";
        return new WidgetResponse(id, req.Name);
    }
}

/// <summary>Test-only creating POST that commits and then fails, as a crash or a lost connection after the commit would.</summary>
internal sealed class FragileWidgetEndpoint(AuditTrail audit, AppDbContext db) : ApiEndpoint<CreateWidgetRequest, WidgetResponse>
{
    protected override bool Transactional => false;

    public override void Configure()
    {
        Post("/v1/test/fragile-widgets");
        AnyUser();
        Idempotent();
    }

    protected override async Task<ErrorOr<WidgetResponse>> HandleRequestAsync(CreateWidgetRequest req, CancellationToken ct)
    {
        await WrkCopilot.Features.Kernel.Tenancy.UnitOfWork.RunAsync<Guid>(db, async () =>
        {
            var id = Guid.CreateVersion7();
            audit.Record("fragile_widget_created", "widget", id, new { name = req.Name });
            await db.SaveChangesAsync(ct);
            return id;
        }, ct);
        throw new InvalidOperationException("The answer was lost after the commit.");
    }
}
