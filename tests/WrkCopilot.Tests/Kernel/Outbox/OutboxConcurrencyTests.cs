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
