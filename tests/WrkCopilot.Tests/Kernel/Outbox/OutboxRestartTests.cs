using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

/// <summary>
/// Each test builds its own app so the rows can be committed before any app instance is running,
/// as they would be by a process that stopped right after its commit.
/// </summary>
public sealed class OutboxRestartTests
{
    [Fact]
    public async Task A_job_committed_while_no_app_runs_is_run_after_the_app_starts()
    {
        var app = new DispatcherApp();
        await app.InitializeAsync();
        try
        {
            var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" });

            // First touch of Services starts the host, and with it the scheduled dispatcher.
            var recorder = app.Recorder;

            Assert.True(await OutboxDriver.EventuallyAsync(async () =>
                await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'done'", ("id", id)) == 1),
                "the committed job was never run");
            Assert.Equal(1, recorder.Runs[id]);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_row_claimed_by_a_dead_instance_is_claimed_again_after_its_lease_and_run()
    {
        var app = new DispatcherApp();
        await app.InitializeAsync();
        try
        {
            var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, status: "processing", attempts: 1,
                lockedBy: "dead-instance:1", lockedUntil: DateTimeOffset.UtcNow.AddMinutes(-1));

            var recorder = app.Recorder;

            Assert.True(await OutboxDriver.EventuallyAsync(async () =>
                await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'done'", ("id", id)) == 1),
                "the orphaned job was never run");
            Assert.Equal(1, recorder.Runs[id]);
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND attempts = 2 AND locked_by <> 'dead-instance:1'", ("id", id)));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_row_whose_lease_is_still_running_is_left_to_its_instance()
    {
        var app = new RecordingApp();
        await app.InitializeAsync();
        try
        {
            var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, status: "processing", attempts: 1,
                lockedBy: "live-instance:1", lockedUntil: DateTimeOffset.UtcNow.AddMinutes(5));

            var claimed = await OutboxDriver.TickAsync(app, "other-instance", TimeProvider.System);

            Assert.DoesNotContain(id, claimed);
            Assert.False(app.Recorder.Runs.ContainsKey(id));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
