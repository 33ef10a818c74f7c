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
