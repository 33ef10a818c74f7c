using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

public sealed class OutboxConcurrencyTests(RecordingApp app) : IClassFixture<RecordingApp>
{
    [Fact]
    public async Task Two_dispatchers_over_one_database_never_run_the_same_row_twice()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok", n = i }));
        }
        var recorder = app.Recorder;

        async Task<int> Instance(string name)
        {
            var dispatcher = OutboxDriver.Dispatcher(app, name, TimeProvider.System, batchSize: 7);
            var ran = 0;
            while (true)
            {
                var claimed = await dispatcher.ClaimAsync(CancellationToken.None);
                if (claimed.Count == 0)
                {
                    return ran;
                }
                foreach (var claim in claimed)
                {
                    await OutboxDriver.RunAsync(app, claim, name, TimeProvider.System);
                    ran++;
                }
            }
        }

        var results = await Task.WhenAll(Task.Run(() => Instance("instance-a")), Task.Run(() => Instance("instance-b")));

        Assert.Equal(200, results.Sum());
        Assert.All(ids, id => Assert.Equal(1, recorder.Runs.GetValueOrDefault(id)));
        Assert.Equal(200, await app.CountAsync("SELECT count(*) FROM outbox WHERE status = 'done' AND attempts = 1"));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE status <> 'done'"));
    }
}

public sealed class OutboxLeaseTests(RecordingApp app) : IClassFixture<RecordingApp>
{
    [Fact]
    public async Task A_run_whose_lease_was_taken_over_neither_runs_nor_finishes_the_row()
    {
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok", n = 1 });
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var first = Assert.Single(await OutboxDriver.Dispatcher(app, "same-instance", clock).ClaimAsync(CancellationToken.None));

        // The first run stalled past its lease; the same instance claims the row again.
        clock.Advance(TimeSpan.FromMinutes(6));
        var second = Assert.Single(await OutboxDriver.Dispatcher(app, "same-instance", clock).ClaimAsync(CancellationToken.None));
        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Token, second.Token);

        await OutboxDriver.RunAsync(app, first, "same-instance", clock);
        Assert.Equal(0, app.Recorder.Runs.GetValueOrDefault(id));
        Assert.Equal("processing", await app.ScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", ("id", id)));

        await OutboxDriver.RunAsync(app, second, "same-instance", clock);
        Assert.Equal(1, app.Recorder.Runs.GetValueOrDefault(id));
        Assert.Equal("done", await app.ScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", ("id", id)));
    }
}

public sealed class OutboxDeadlineTests(RecordingApp app) : IClassFixture<RecordingApp>
{
    [Fact]
    public async Task A_row_whose_last_attempt_never_finished_is_dead_not_claimed_again()
    {
        // The process running its 8th attempt died (the job may have killed it): the lease ran out.
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, status: "processing", attempts: 8, maxAttempts: 8,
            lockedUntil: DateTimeOffset.UtcNow.AddMinutes(-1), lockedBy: "dead-instance:claim");

        var claimed = await OutboxDriver.TickAsync(app, "survivor", TimeProvider.System);

        Assert.DoesNotContain(id, claimed);
        Assert.Equal("dead", await app.ScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", ("id", id)));
        Assert.Contains("lease expired", await app.ScalarAsync<string>("SELECT last_error FROM outbox WHERE id = @id", ("id", id)), StringComparison.Ordinal);
        Assert.Equal(0, app.Recorder.Runs.GetValueOrDefault(id));
    }

    [Fact]
    public async Task A_job_that_outlives_its_lease_is_cancelled_and_retried_later()
    {
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "hang" });
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var claim = Assert.Single(await OutboxDriver.Dispatcher(app, "slow", clock).ClaimAsync(CancellationToken.None));

        var run = OutboxDriver.RunAsync(app, claim, "slow", clock);
        // Past the lease minus its margin (still inside the lease): the job's token fires before another claim could
        // start it again. Whether the runner armed its deadline before or after this, the deadline has passed.
        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(10));
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("pending", await app.ScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", ("id", id)));
        Assert.Equal(1, await app.CountAsync("SELECT attempts FROM outbox WHERE id = @id", ("id", id)));
        Assert.Equal(0, app.Recorder.Runs.GetValueOrDefault(id));
    }
}
