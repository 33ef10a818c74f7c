using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Tests.Infrastructure;
using WrkCopilot.Tests.Kernel.Outbox;

namespace WrkCopilot.Tests.Kernel.Observability;

public sealed class MetricsEndpointTests(MetricsApp app) : IClassFixture<MetricsApp>
{
    private async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(WrkApp host)
    {
        var client = host.Client(MetricsApp.Token);
        var res = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.StartsWith("text/plain", res.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await res.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Traffic_shows_up_in_each_wrk_series_with_the_expected_counts()
    {
        // Jobs on a queue of this test only: one succeeds, one fails and will be retried, one has no handler (dead).
        const string queue = "obs-jobs";
        await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, queue: queue);
        var flaky = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, queue: queue);
        app.Recorder.Broken[flaky] = true;
        await app.InsertJobAsync("test.nobody_handles_this", new { }, queue: queue);
        await app.DeliverOutboxAsync();
        // A due row nobody has claimed for a minute, and one not due before tomorrow.
        await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, queue: "obs-waiting", availableAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, queue: "obs-waiting", availableAt: DateTimeOffset.UtcNow.AddDays(1));

        // An API key allowed one request a minute: its second request is refused.
        var admin = await app.SignUpAsync();
        var key = app.Client(await app.ApiKeyAsync(admin.TenantId, admin.UserId));
        await key.GetAsync("/v1/api-keys");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await key.GetAsync("/v1/api-keys")).StatusCode);

        // QA passes: qa_testing -> ready_to_launch.
        var ops = await app.StaffAsync("ops_admin");
        var version = await app.VersionAsync(admin.TenantId, "qa_testing");
        var passed = await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/automation-versions/{version.VersionId}/status", new { status = "ready_to_launch" });
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);

        // The run-event webhook refuses a bad signature twice and a stale timestamp once, through HTTP.
        var secret = app.Services.GetRequiredService<WrkCopilot.Features.Integrations.WrkPlatform.WebhookSecretKeys>().SigningSecret!;
        var body = System.Text.Encoding.UTF8.GetBytes("{\"workflow_id\":\"wf_x\",\"run_id\":\"r1\",\"status\":\"running\",\"started_at\":\"2026-11-30T00:00:00Z\"}");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (timestamp, signature) in new[]
                 {
                     (now, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                     (now, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
                     (now - 600, WrkCopilot.Features.Integrations.WrkPlatform.WebhookSignatures.Sign(secret, "msg_stale", now - 600, body)),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wrk-run-event") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Add("webhook-id", "msg_stale");
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", signature);
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().SendAsync(request)).StatusCode);
        }
        // An accepted event and the aggregation lag through the API the webhook and aggregator call.
        var metrics = app.Services.GetRequiredService<WrkMetrics>();
        metrics.WebhookEvent(WebhookOutcome.Accepted);
        metrics.UsageAggregationLag(TimeSpan.FromSeconds(42));

        var s = await ScrapeAsync(app);

        Assert.Equal(3, s.Value("wrk_outbox_job_runs_total", ("queue", queue)));
        Assert.Equal(2, s.Value("wrk_outbox_job_failures_total", ("queue", queue)));
        Assert.Equal(1, s.Value("wrk_outbox_dead_letters_total", ("queue", queue)));
        Assert.Equal(1, s.Value("wrk_outbox_depth", ("queue", queue)));                 // the flaky job, waiting to retry
        Assert.Equal(0, s.Value("wrk_outbox_oldest_due_age_seconds", ("queue", queue))); // its retry is not due yet
        Assert.Equal(2, s.Value("wrk_outbox_depth", ("queue", "obs-waiting")));
        Assert.InRange(s.Value("wrk_outbox_oldest_due_age_seconds", ("queue", "obs-waiting")), 59, 3600);
        // Known queues are reported even when empty, so that their alerts have a series.
        Assert.Equal(0, s.Value("wrk_outbox_depth", ("queue", Queues.BuildRequests)));

        Assert.Equal(1, s.Value("wrk_rate_limit_refusals_total", ("limit", "api_key")));
        Assert.Equal(1, s.Value("wrk_lifecycle_transitions_total", ("from", "qa_testing"), ("to", "ready_to_launch")));

        Assert.Equal(1, s.Value("wrk_webhook_events_total", ("outcome", "accepted")));
        Assert.Equal(0, s.Value("wrk_webhook_events_total", ("outcome", "duplicate")));
        Assert.Equal(2, s.Value("wrk_webhook_events_total", ("outcome", "refused"), ("reason", "bad_signature")));
        Assert.Equal(1, s.Value("wrk_webhook_events_total", ("outcome", "refused"), ("reason", "stale_timestamp")));
        // The aggregator's own drain (every few seconds in this host) may have recorded a newer lag since: 42 or its value.
        Assert.True(s.Value("wrk_usage_aggregation_lag_seconds") is 42 or >= 0 and < 42);

        // No tenant id anywhere in our series.
        Assert.DoesNotContain(s.Where(x => x.Name.StartsWith("wrk_", StringComparison.Ordinal)),
            x => x.Labels.Values.Any(v => v.Contains(admin.TenantId.ToString(), StringComparison.OrdinalIgnoreCase)));

        // The framework's own series ride along: requests, database, runtime.
        Assert.Contains(s, x => x.Name == "http_server_request_duration_seconds_count" && x.Labels.GetValueOrDefault("http_response_status_code") == "429");
        Assert.Contains(s, x => x.Name == "db_client_operation_duration_seconds_count");
        Assert.Contains(s, x => x.Name == "db_client_connection_count" && x.Labels.GetValueOrDefault("db_client_connection_pool_name") == "wrk-app");
        Assert.Contains(s, x => x.Name == "db_client_connection_max" && x.Labels.GetValueOrDefault("db_client_connection_pool_name") == "wrk-app");
        Assert.Contains(s, x => x.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_need_the_token()
    {
        var anonymous = await app.Client().GetAsync("/metrics");
        var wrong = await app.Client("not-the-metrics-token-at-all").GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("unauthorized", (await anonymous.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.DoesNotContain("wrk_", await wrong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Another_host_in_the_same_process_keeps_its_series_apart()
    {
        await using var other = new SecondMetricsApp();
        other.UseDatabaseOf(app);
        await other.InitializeAsync();
        other.Services.GetRequiredService<WrkMetrics>().WebhookEvent(WebhookOutcome.Refused, "only_on_the_other_host");

        Assert.Equal(1, (await ScrapeAsync(other)).Value("wrk_webhook_events_total", ("reason", "only_on_the_other_host")));
        Assert.Empty((await ScrapeAsync(app)).Find("wrk_webhook_events_total", ("reason", "only_on_the_other_host")));
    }
}

/// <summary>The app as deployed by default: no token and no port configured.</summary>
public sealed class MetricsClosedByDefaultTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Without_a_token_or_port_there_is_no_metrics_endpoint()
    {
        var res = await app.Client().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain("wrk_", await res.Content.ReadAsStringAsync());
    }
}

/// <summary>A dedicated port only: the public port does not serve metrics.</summary>
public sealed class MetricsPortApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("Observability:MetricsPort", "9464")];
}

public sealed class MetricsPortTests(MetricsPortApp app) : IClassFixture<MetricsPortApp>
{
    [Fact]
    public async Task With_a_metrics_port_the_public_port_does_not_serve_metrics()
    {
        var res = await app.Client().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain("wrk_", await res.Content.ReadAsStringAsync());
    }
}
