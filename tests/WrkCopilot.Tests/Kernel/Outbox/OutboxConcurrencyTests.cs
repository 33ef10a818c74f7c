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
                foreach (var id in claimed)
                {
                    await OutboxDriver.RunAsync(app, id, name, TimeProvider.System);
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
