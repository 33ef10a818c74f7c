using System.Collections.Concurrent;
using System.Net;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow28_UsageAggregation;

public sealed class UsageAggregationTests(RunEventsApp app) : IClassFixture<RunEventsApp>
{
    /// <summary>Rows of (version, period start, runs, successes, failures, cost) in one set and not the other, both ways.</summary>
    private Task<long> MismatchesAsync(Guid versionId, string granularity)
    {
        var period = granularity == "day" ? "(started_at AT TIME ZONE 'UTC')::date" : "date_trunc('month', started_at AT TIME ZONE 'UTC')::date";
        return app.CountAsync($"""
            WITH truth AS (
                SELECT automation_version_id, {period} AS period_start, count(*)::bigint AS runs,
                       count(*) FILTER (WHERE status = 'succeeded')::bigint AS ok, count(*) FILTER (WHERE status = 'failed')::bigint AS failed,
                       COALESCE(sum(cost), 0)::numeric(14,4) AS cost
                FROM run_events WHERE automation_version_id = @v GROUP BY 1, 2),
            ours AS (
                SELECT automation_version_id, period_start, run_count AS runs, success_count AS ok, failure_count AS failed, total_cost AS cost
                FROM usage_aggregates WHERE automation_version_id = @v AND granularity = '{granularity}')
            SELECT count(*) FROM ((SELECT * FROM truth EXCEPT SELECT * FROM ours) UNION ALL (SELECT * FROM ours EXCEPT SELECT * FROM truth)) d
            """, ("v", versionId));
    }

    [Fact]
    public async Task Two_thousand_concurrent_shuffled_and_duplicated_deliveries_leave_the_aggregates_equal_to_the_run_events()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        var random = new Random(2026);
        // Runs spread over the last days of one month and the first of the next, so both day and month rows are exercised.
        var origin = new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);
        var deliveries = new List<(string WebhookId, byte[] Body)>();
        for (var run = 0; deliveries.Count < 1800; run++)
        {
            var started = origin.AddMinutes(random.Next(0, 4 * 24 * 60));
            var final = random.Next(10) < 8 ? "succeeded" : "failed";
            var cost = Math.Round((decimal)random.NextDouble() * 3m, 4);
            var runId = $"run-{run}";
            if (run % 5 == 0)
            {
                // A running-then-final pair (their order is shuffled below, so the final one may arrive first).
                deliveries.Add(("msg_" + Guid.NewGuid().ToString("N"), ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, runId, "running", started))));
            }
            deliveries.Add(("msg_" + Guid.NewGuid().ToString("N"), ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, runId, final, started, cost))));
        }
        deliveries = deliveries.Take(1800).ToList();
        // 10 % duplicates: the same delivery (same webhook-id, same bytes) sent again.
        deliveries.AddRange(Enumerable.Range(0, 200).Select(_ => deliveries[random.Next(deliveries.Count)]));
        var queue = new ConcurrentQueue<(string, byte[])>(deliveries.OrderBy(_ => random.Next()));
        Assert.Equal(2000, queue.Count);

        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var sending = new CancellationTokenSource();
        // The worker drains while the events arrive, as it does in production.
        var drainer = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                await app.DrainUsageAsync();
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var d))
            {
                statuses.Add((await app.SendSignedAsync(d.Item2, d.Item1)).StatusCode);
            }
        })));
        await sending.CancelAsync();
        await drainer;
        await app.DrainUsageAsync();

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
        var runs = deliveries.Select(d => System.Text.Json.JsonDocument.Parse(d.Body).RootElement.GetProperty("run_id").GetString()).Distinct().Count();
        Assert.Equal(runs, await app.CountAsync("SELECT count(*) FROM run_events WHERE automation_version_id = @v", ("v", wf.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM run_events WHERE automation_version_id = @v AND status = 'running'", ("v", wf.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM run_event_changes WHERE automation_version_id = @v", ("v", wf.VersionId)));
        Assert.True(await app.CountAsync("SELECT count(*) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'month'", ("v", wf.VersionId)) == 2);
        Assert.Equal(0, await MismatchesAsync(wf.VersionId, "day"));
        Assert.Equal(0, await MismatchesAsync(wf.VersionId, "month"));
        Assert.Equal(runs, await app.CountAsync("SELECT sum(run_count) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'", ("v", wf.VersionId)));
    }

    [Fact]
    public async Task A_run_that_finishes_moves_from_running_to_its_final_count_and_draining_twice_counts_nothing_twice()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        var started = DateTimeOffset.UtcNow.AddMinutes(-5);
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", started, 0.5m));
        await app.DrainUsageAsync();
        Assert.Equal(0, await app.CountAsync("SELECT success_count FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'", ("v", wf.VersionId)));

        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "failed", started, 0.75m));
        await app.DrainUsageAsync();
        await app.DrainUsageAsync();

        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'
              AND run_count = 1 AND success_count = 0 AND failure_count = 1 AND total_cost = 0.75
            """, ("v", wf.VersionId)));
        Assert.Equal(0, await MismatchesAsync(wf.VersionId, "month"));
    }

    [Fact]
    public async Task The_usage_sync_reports_days_where_the_platform_and_our_aggregates_differ_and_changes_nothing()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var started = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(1);
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", started, 1m));
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-2", "succeeded", started, 1m));
        app.Platform.UsageRows.Clear();
        app.Platform.UsageRows.Add(new PlatformUsageRow(wf.WorkflowId, today, 2, 2, 0, 2m));
        app.Platform.UsageRows.Add(new PlatformUsageRow(wf.WorkflowId, today.AddDays(-1), 3, 2, 1, 1.5m));

        var result = await app.SyncUsageAsync();

        Assert.True(result.Ran);
        Assert.Equal(2, result.Rows);
        var difference = Assert.Single(result.Differences, d => d.WorkflowId == wf.WorkflowId);
        Assert.Equal(today.AddDays(-1), difference.Day);
        Assert.Equal(3, difference.PlatformRuns);
        Assert.Equal(0, difference.OurRuns);
        // Our aggregates stay what the run events say (drained by the sync itself): the export never adds to them.
        Assert.Equal(2, await app.CountAsync("SELECT sum(run_count) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'", ("v", wf.VersionId)));
    }

    [Fact]
    public async Task The_usage_sync_waits_for_the_next_tick_when_the_platform_is_down()
    {
        app.Platform.Down = true;
        try
        {
            var result = await app.SyncUsageAsync();
            Assert.False(result.Ran);
        }
        finally
        {
            app.Platform.Down = false;
        }
    }

    [Fact]
    public async Task A_usage_sync_already_running_elsewhere_makes_this_one_skip()
    {
        var result = await app.AsOwnerAsync(async conn =>
        {
            await using (var hold = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({WrkCopilot.Features.Flows.Flow28_UsageAggregation.UsageSync.LockKey})", conn))
            {
                await hold.ExecuteScalarAsync();
            }
            var skipped = await app.SyncUsageAsync();
            await using var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock_all()", conn);
            await release.ExecuteScalarAsync();
            return skipped;
        });

        Assert.False(result.Ran);
        Assert.True((await app.SyncUsageAsync()).Ran);
    }

    [Fact]
    public async Task Crossed_thresholds_open_one_alert_each_per_period_and_notify_the_admins_once()
    {
        var admin = await app.WorkspaceAdminAsync("Thresholds");
        var wf = await app.InsertWorkflowAsync(admin.TenantId);
        await app.ExecuteAsync("""
            INSERT INTO quotes (id, tenant_id, automation_version_id, kind, status, currency, setup_fee, unit_price, estimated_volume,
                committed_volume, effective_unit_price, signed_at, row_version, created_at, updated_at)
            VALUES (@id, @t, @v, 'initial', 'signed', 'USD', 100, 0.5, 10, 4, 0.5, now() - interval '1 day', 1, now(), now())
            """, ("id", Guid.CreateVersion7()), ("t", admin.TenantId), ("v", wf.VersionId));
        var put = await app.Client(admin.AccessToken).PutJsonAsync("/v1/alert-thresholds",
            new { failure_rate_pct = 50, window_runs = 4, volume_pct_of_committed = 100, monthly_budget = "3.00" });
        await put.ExpectAsync(HttpStatusCode.OK);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 4; i++)
        {
            await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, $"run-{i}", i < 2 ? "failed" : "succeeded", now.AddMinutes(-10 + i), 1m));
        }
        await app.DrainUsageAsync();

        var opened = await app.EvaluateThresholdsAsync();
        var again = await app.EvaluateThresholdsAsync();

        Assert.Equal(3, opened);
        Assert.Equal(0, again);
        foreach (var kind in new[] { "failure_rate", "volume", "budget" })
        {
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM alerts WHERE tenant_id = @t AND kind = @k AND status = 'open'",
                ("t", admin.TenantId), ("k", kind)));
        }
        Assert.Equal(3, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'alert.opened'", ("t", admin.TenantId)));
        await app.DeliverOutboxAsync();
        var list = await (await app.Client(admin.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(list.GetProperty("data").EnumerateArray(), n => n.GetRawText().Contains("Monthly budget reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tenant_below_its_thresholds_gets_no_alert()
    {
        var admin = await app.WorkspaceAdminAsync("Calm");
        var wf = await app.InsertWorkflowAsync(admin.TenantId);
        await (await app.Client(admin.AccessToken).PutJsonAsync("/v1/alert-thresholds",
            new { failure_rate_pct = 60, window_runs = 2, monthly_budget = "100.00" })).ExpectAsync(HttpStatusCode.OK);
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", DateTimeOffset.UtcNow.AddMinutes(-3), 1m));
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-2", "failed", DateTimeOffset.UtcNow.AddMinutes(-2), 1m));
        await app.DrainUsageAsync();

        await app.EvaluateThresholdsAsync();

        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM alerts WHERE tenant_id = @t", ("t", admin.TenantId)));
    }
}
