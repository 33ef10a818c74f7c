using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using WrkCopilot.Features.Flows.Flow28_UsageAggregation;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Tests.Infrastructure;
using WrkCopilot.Tests.Kernel.Outbox;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Topology;

/// <summary>
/// One of two app servers side by side, as in production: behind the run's PgBouncer (transaction pooling), one database (the
/// second borrows the first's), one Redis, the outbox dispatcher scheduled every second, the recording job registered, a low
/// tenant rate limit, and a fake platform whose usage export can be held (to catch a sync in the middle of its run).
/// </summary>
public sealed class TopologyApp : RunEventsApp
{
    public const int TenantRequestsPerMinute = 6;

    public TopologyApp() => Export = new HeldUsagePlatform(Platform);

    public HeldUsagePlatform Export { get; }

    public JobRecorder Recorder => Services.GetRequiredService<JobRecorder>();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("ConnectionStrings:Listen", PgBouncerServer.Direct(AppConnectionString)),
        new("Redis:Connection", RedisServer.Connection),
        new("Outbox:DispatcherEnabled", "true"),
        new("Http:TenantRequestsPerMinute", TenantRequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    protected override void ConfigureMore(IServiceCollection services)
    {
        services.AddSingleton<JobRecorder>();
        services.AddScoped<IJobHandler, RecordingJob>();
        services.RemoveAll<IWrkPlatformClient>();
        services.AddSingleton<IWrkPlatformClient>(Export);
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        AppConnectionString = await PgBouncerServer.RouteAsync(AppConnectionString);
    }
}

/// <summary>The fake platform with a gate on its usage export: <see cref="Hold"/> keeps the next sync inside its platform call.</summary>
public sealed class HeldUsagePlatform(FakeUsagePlatform inner) : IWrkPlatformClient
{
    private TaskCompletionSource _release = Released();

    public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Hold()
    {
        Entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release() => _release.TrySetResult();

    public async Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct)
    {
        Entered.TrySetResult();
        await _release.Task.WaitAsync(ct);
        return await inner.UsageSummaryAsync(from, to, cursor, ct);
    }

    public Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct) => inner.CreateWorkflowAsync(request, ct);

    public Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct) =>
        inner.UpdateWorkflowAsync(workflowId, request, ct);

    public Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct) => inner.ActivateAsync(workflowId, ct);

    public Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct) => inner.DeactivateAsync(workflowId, ct);

    private static TaskCompletionSource Released()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}

/// <summary>Two <see cref="TopologyApp"/> instances over one database, both started (hosts, schedulers, dispatchers) before a test.</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public TopologyApp One { get; } = new();

    public TopologyApp Two { get; } = new();

    public async Task InitializeAsync()
    {
        await One.InitializeAsync();
        Two.UseDatabaseOf(One);
        _ = One.Services;
        _ = Two.Services;
    }

    public async Task DisposeAsync()
    {
        await Two.DisposeAsync();
        await One.DisposeAsync();
    }
}

/// <summary>
/// The production topology: two app instances side by side on one database (through PgBouncer) and one Redis. Outbox jobs run
/// once however both dispatchers race; the singleton schedules (usage aggregation and sync, billing finalisation) run on both
/// at once without counting anything twice; the tenant rate limit is one bucket for both instances, even under a burst.
/// (<c>RedisSharedStateTests</c> and <c>RedisRateLimitTests</c> cover the login throttle, the role cache and sequential
/// rate-limited calls; they are not repeated here.)
/// </summary>
public sealed class TwoInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private TopologyApp One => instances.One;

    private TopologyApp Two => instances.Two;

    [Fact]
    public async Task Fifty_outbox_jobs_run_exactly_once_while_both_instances_scheduled_dispatchers_race_for_them()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
        {
            ids.Add(await One.InsertJobAsync(RecordingJob.JobType, new { mode = "ok", n = i }));
        }

        Assert.True(await OutboxDriver.EventuallyAsync(async () =>
            await One.CountAsync("SELECT count(*) FROM outbox WHERE id = ANY(@ids) AND status = 'done'", ("ids", ids.ToArray())) == ids.Count,
            TimeSpan.FromSeconds(60)), "the two dispatchers did not finish the jobs");

        Assert.All(ids, id => Assert.Equal(1, One.Recorder.Runs.GetValueOrDefault(id) + Two.Recorder.Runs.GetValueOrDefault(id)));
        Assert.Equal(ids.Count, await One.CountAsync("SELECT count(*) FROM outbox WHERE id = ANY(@ids) AND attempts = 1", ("ids", ids.ToArray())));
    }

    [Fact]
    public async Task Run_events_delivered_to_either_instance_while_both_drain_are_aggregated_once()
    {
        var wf = await One.InsertWorkflowAsync(await One.InsertTenantAsync("Usage"));
        var random = new Random(8);
        var origin = DateTimeOffset.UtcNow.AddDays(-2);
        var deliveries = new List<(string Id, byte[] Body)>();
        for (var run = 0; run < 200; run++)
        {
            var started = origin.AddMinutes(random.Next(0, 2 * 24 * 60));
            if (run % 4 == 0)
            {
                deliveries.Add(("msg_" + Guid.NewGuid().ToString("N"), ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, $"run-{run}", "running", started))));
            }
            var final = run % 5 == 0 ? "failed" : "succeeded";
            deliveries.Add(("msg_" + Guid.NewGuid().ToString("N"), ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, $"run-{run}", final, started, 0.5m))));
        }
        // Some deliveries again (the platform retries), possibly to the other instance.
        deliveries.AddRange(Enumerable.Range(0, 25).Select(_ => deliveries[random.Next(deliveries.Count)]));
        var queue = new ConcurrentQueue<(string Id, byte[] Body)>(deliveries.OrderBy(_ => random.Next()));
        var statuses = new ConcurrentBag<HttpStatusCode>();

        using var sending = new CancellationTokenSource();
        var drainers = new[] { One, Two }.Select(app => Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested)
            {
                await app.DrainUsageAsync();
            }
        })).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var app = w % 2 == 0 ? One : Two;
            while (queue.TryDequeue(out var d))
            {
                statuses.Add((await app.SendSignedAsync(d.Body, d.Id)).StatusCode);
            }
        })));
        await sending.CancelAsync();
        await Task.WhenAll(drainers);
        await Task.WhenAll(One.DrainUsageAsync(), Two.DrainUsageAsync());

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
        Assert.Equal(0, await One.CountAsync("SELECT count(*) FROM run_event_changes WHERE automation_version_id = @v", ("v", wf.VersionId)));
        foreach (var granularity in new[] { "day", "month" })
        {
            var period = granularity == "day" ? "(started_at AT TIME ZONE 'UTC')::date" : "date_trunc('month', started_at AT TIME ZONE 'UTC')::date";
            Assert.Equal(0, await One.CountAsync($"""
                WITH truth AS (
                    SELECT {period} AS period_start, count(*)::bigint AS runs, count(*) FILTER (WHERE status = 'succeeded')::bigint AS ok,
                           count(*) FILTER (WHERE status = 'failed')::bigint AS failed, COALESCE(sum(cost), 0)::numeric(14,4) AS cost
                    FROM run_events WHERE automation_version_id = @v GROUP BY 1),
                ours AS (
                    SELECT period_start, run_count, success_count, failure_count, total_cost
                    FROM usage_aggregates WHERE automation_version_id = @v AND granularity = '{granularity}')
                SELECT count(*) FROM ((SELECT * FROM truth EXCEPT SELECT * FROM ours) UNION ALL (SELECT * FROM ours EXCEPT SELECT * FROM truth)) d
                """, ("v", wf.VersionId)));
        }
        Assert.Equal(200, await One.CountAsync(
            "SELECT sum(run_count) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'", ("v", wf.VersionId)));
    }

    [Fact]
    public async Task A_usage_sync_in_progress_on_one_instance_makes_the_others_skip_and_releases_its_lock_when_done()
    {
        One.Export.Hold();
        var held = One.SyncUsageAsync();
        await One.Export.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            // Several tries: behind PgBouncer each may land on any of the pool's server connections.
            for (var i = 0; i < 2 * PgBouncerServer.PoolSize; i++)
            {
                Assert.False((await Two.SyncUsageAsync()).Ran, "a second usage sync ran while the first was still running");
            }
        }
        finally
        {
            One.Export.Release();
        }
        Assert.True((await held).Ran);

        // Nothing holds the lock any more: not a server connection of the pool (checked directly), not the next tick.
        Assert.True(await One.AsOwnerAsync(async conn =>
        {
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({UsageSync.LockKey})", conn, tx);
            return await cmd.ExecuteScalarAsync() is true;
        }), "the usage sync's lock outlived its run");
        Assert.True((await Two.SyncUsageAsync()).Ran);
        Assert.True((await One.SyncUsageAsync()).Ran);
    }

    [Fact]
    public async Task Billing_finalisation_run_on_both_instances_at_once_finalises_each_tenant_once()
    {
        var tenants = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var t = await One.InsertTenantAsync($"Billed {i}");
            await One.InsertClientAsync(t, null, $"Billed {i}", committed: 100.00m);
            var v = (await One.OpsProjectAsync(t, "live")).VersionId;
            await One.InsertQuoteAsync(t, v, signedAt: Utc(2026, 2, 15, 9), setupFee: 1000.00m, unitPrice: 0.2500m);
            var b = await One.InsertBindingAsync(t, v);
            for (var r = 0; r < 3; r++)
            {
                await One.InsertRunAsync(t, v, b, Utc(2026, 3, 10 + r, 12));
            }
            tenants.Add(t);
        }

        async Task<BillingFinalisationJob.Result> Finalise(TopologyApp app)
        {
            await using var scope = app.Scope();
            return await scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>().RunAsync(new BillingMonth(2026, 3), CancellationToken.None);
        }
        var results = await Task.WhenAll(Task.Run(() => Finalise(One)), Task.Run(() => Finalise(Two)),
            Task.Run(() => Finalise(One)), Task.Run(() => Finalise(Two)));

        Assert.Contains(results, r => r.Ran);
        Assert.All(results.Where(r => r.Ran), r => Assert.Equal(0, r.Failed));
        foreach (var t in tenants)
        {
            // 3 runs at 0.2500 = 0.75 under a committed minimum of 100.00: the total is the minimum, once.
            Assert.Equal(1, await One.CountAsync(
                "SELECT count(*) FROM billing_periods WHERE tenant_id = @t AND period_start = '2026-03-01' AND status = 'finalized' AND total_spend = 100.00",
                ("t", t)));
            Assert.Equal(1, await One.CountAsync("SELECT count(*) FROM billing_periods WHERE tenant_id = @t", ("t", t)));
            Assert.Equal(1, await One.CountAsync(
                "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'billing_period_finalized'", ("t", t)));
            Assert.Equal(1, await One.CountAsync(
                "SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'billing_period.finalized'",
                ("t", t)));
        }
    }

    [Fact]
    public async Task A_burst_split_between_the_instances_is_limited_by_the_tenants_combined_count()
    {
        var token = (await One.WorkspaceAdminAsync("Bursty")).AccessToken;
        using var c1 = One.Client(token);
        using var c2 = Two.Client(token);

        var codes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? c1 : c2).GetAsync("/v1/users/me")).StatusCode)));

        // Either instance alone would have let 6 of its 10 through; together the tenant gets 6.
        Assert.Equal(TopologyApp.TenantRequestsPerMinute, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(20 - TopologyApp.TenantRequestsPerMinute, codes.Count(c => c == HttpStatusCode.TooManyRequests));
    }
}
