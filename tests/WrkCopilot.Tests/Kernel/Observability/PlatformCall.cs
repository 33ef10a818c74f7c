using ErrorOr;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Tests.Kernel.Observability;

public sealed class QueuePlatformCallRequest
{
    public string Path { get; set; } = "";
}

public sealed record PlatformCallQueued(Guid JobId);

/// <summary>
/// Test-only POST that queues a call to the WRK Platform, as a signed quote queues its build request. Mapped only by
/// hosts that add this assembly through <c>Endpoints:AdditionalAssemblies</c>; its job exists only in <see cref="TracingApp"/>.
/// </summary>
internal sealed class QueuePlatformCallEndpoint(OutboxWriter outbox, AppDbContext db) : ApiEndpoint<QueuePlatformCallRequest, PlatformCallQueued>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/test/platform-calls");
        AnyUser();
    }

    protected override async Task<ErrorOr<PlatformCallQueued>> HandleRequestAsync(QueuePlatformCallRequest req, CancellationToken ct)
    {
        var row = outbox.Enqueue(Queues.BuildRequests, PlatformCallJob.JobType, new { path = req.Path });
        await db.SaveChangesAsync(ct);
        return new PlatformCallQueued(row.Id);
    }
}

/// <summary>Calls the WRK Platform stand-in with a client from IHttpClientFactory, as the build-request worker will.</summary>
internal sealed class PlatformCallJob(IHttpClientFactory clients) : IJobHandler
{
    public const string JobType = "test.platform_call";

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var path = job.Payload.RootElement.GetProperty("path").GetString()!;
        using var res = await clients.CreateClient(TracingApp.PlatformClient).PostAsync(path, null, ct);
        res.EnsureSuccessStatusCode();
    }
}
