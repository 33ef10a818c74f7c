using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using WrkCopilot.Features.Flows.Flow28_UsageAggregation;
using WrkCopilot.Features.Integrations.WrkPlatform;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// The app with two webhook secrets configured (<see cref="Secret"/>, and <see cref="OldSecret"/> as during a rotation), the
/// usage schedules off (tests drain by hand) and a fake WRK Platform whose usage export the test fills.
/// </summary>
public class RunEventsApp : WrkApp
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string OldSecret = "whsec_c2VjcmV0LW9mLWxhc3QteWVhci0xMjM0NTY3OA==";
    public const string UnknownSecret = "whsec_bm90LWEtY29uZmlndXJlZC1zZWNyZXQtMTIzNDU=";

    public FakeUsagePlatform Platform { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("WrkPlatform:WebhookSecrets:0", Secret),
        new("WrkPlatform:WebhookSecrets:1", OldSecret),
        new("Usage:SchedulesEnabled", "false"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IWrkPlatformClient>();
            s.AddSingleton<IWrkPlatformClient>(Platform);
            ConfigureMore(s);
        });
    }

    protected virtual void ConfigureMore(IServiceCollection services)
    {
    }

    public virtual DateTimeOffset Now => DateTimeOffset.UtcNow;
}

/// <summary>As <see cref="RunEventsApp"/> with time frozen on a whole second, for the signature window's edges.</summary>
public sealed class FrozenClockApp : RunEventsApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override void ConfigureMore(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }

    public override DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>The usage export only; the fake answers every other call with a refusal (they are not under test here).</summary>
public sealed class FakeUsagePlatform : IWrkPlatformClient
{
    public List<PlatformUsageRow> UsageRows { get; } = [];
    public bool Down { get; set; }

    public Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct)
    {
        if (Down)
        {
            return Task.FromResult(PlatformResult<PlatformUsagePage>.Unavailable("down", 503));
        }
        var rows = UsageRows.Where(r => r.Date >= from && r.Date <= to).ToList();
        // Two pages when there is more than one row, so the sync must follow the cursor.
        return Task.FromResult(cursor is null && rows.Count > 1
            ? PlatformResult<PlatformUsagePage>.Ok(new PlatformUsagePage(rows.Take(1).ToList(), "next"))
            : PlatformResult<PlatformUsagePage>.Ok(new PlatformUsagePage(cursor is null ? rows : rows.Skip(1).ToList(), null)));
    }

    public Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct) => Refused();

    public Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct) => Refused();

    public Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct) => Refused();

    public Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct) => Refused();

    private static Task<PlatformResult<PlatformWorkflow>> Refused() =>
        Task.FromResult(PlatformResult<PlatformWorkflow>.Rejected(400, "not_in_this_test", "Not part of the usage tests."));
}

public sealed record RunWorkflow(Guid TenantId, Guid VersionId, Guid BindingId, string WorkflowId);

public static class ArrangeRuns
{
    public const string WebhookUrl = "/v1/webhooks/wrk-run-event";

    /// <summary>A live version of <paramref name="tenantId"/> with a workflow binding (as the build worker leaves it).</summary>
    public static async Task<RunWorkflow> InsertWorkflowAsync(this WrkApp app, Guid tenantId)
    {
        var project = await app.OpsProjectAsync(tenantId, "live");
        var binding = Guid.CreateVersion7();
        var workflow = "wf_" + Guid.NewGuid().ToString("N");
        await app.ExecuteAsync("""
            INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, wrk_workflow_url, status, created_at, updated_at)
            VALUES (@id, @t, @v, @w, 'https://wrk.example/wf', 'active', now(), now())
            """, ("id", binding), ("t", tenantId), ("v", project.VersionId), ("w", workflow));
        return new RunWorkflow(tenantId, project.VersionId, binding, workflow);
    }

    public static object Event(string workflowId, string runId, string status, DateTimeOffset startedAt, decimal? cost = null,
        string? error = null) => new
    {
        workflow_id = workflowId,
        run_id = runId,
        status,
        started_at = startedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        completed_at = status == "running" ? null : startedAt.AddSeconds(30).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        error_message = error,
        cost = cost?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        metadata = new { trigger = "schedule" },
    };

    public static byte[] Bytes(object body) => JsonSerializer.SerializeToUtf8Bytes(body);

    /// <summary>Posts raw bytes with the three signature headers as given (null leaves a header out).</summary>
    public static Task<HttpResponseMessage> PostRawAsync(this WrkApp app, byte[] body, string? id, string? timestamp, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (id is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignatures.IdHeader, id);
        }
        if (timestamp is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignatures.TimestampHeader, timestamp);
        }
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignatures.SignatureHeader, signature);
        }
        return app.Client().SendAsync(request);
    }

    /// <summary>Signs <paramref name="body"/> with <paramref name="secret"/> at <paramref name="at"/> and posts it.</summary>
    public static Task<HttpResponseMessage> SendSignedAsync(this RunEventsApp app, byte[] body, string? webhookId = null,
        DateTimeOffset? at = null, string secret = RunEventsApp.Secret)
    {
        var id = webhookId ?? "msg_" + Guid.NewGuid().ToString("N");
        var ts = (at ?? app.Now).ToUnixTimeSeconds();
        return app.PostRawAsync(body, id, ts.ToString(System.Globalization.CultureInfo.InvariantCulture), WebhookSignatures.Sign(secret, id, ts, body));
    }

    public static Task<HttpResponseMessage> SendEventAsync(this RunEventsApp app, object body, string? webhookId = null) =>
        app.SendSignedAsync(Bytes(body), webhookId);

    public static async Task<int> DrainUsageAsync(this WrkApp app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<UsageAggregator>().DrainAsync(CancellationToken.None);
    }

    public static async Task<UsageSyncResult> SyncUsageAsync(this WrkApp app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<UsageSync>().RunAsync(CancellationToken.None);
    }

    public static async Task<int?> EvaluateThresholdsAsync(this WrkApp app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ThresholdEvaluator>().RunAsync(CancellationToken.None);
    }
}
