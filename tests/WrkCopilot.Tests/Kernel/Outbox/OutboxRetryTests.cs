using System.Net;
using Microsoft.Extensions.Time.Testing;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

public sealed class OutboxRetryTests(RecordingApp app) : IClassFixture<RecordingApp>
{
    private const string Instance = "retry-tests";

    [Fact]
    public async Task A_failing_job_backs_off_then_is_dead_visible_to_staff_and_a_retry_runs_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "ok" }, maxAttempts: 2);
        var recorder = app.Recorder;
        recorder.Broken[id] = true;
        var firstDue = await app.ScalarAsync<DateTime>("SELECT available_at FROM outbox WHERE id = @id", ("id", id));

        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, clock));

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE id = @id AND status = 'pending' AND attempts = 1 AND last_error = 'The partner is down.' AND locked_until IS NULL",
            ("id", id)));
        var retryDue = await app.ScalarAsync<DateTime>("SELECT available_at FROM outbox WHERE id = @id", ("id", id));
        Assert.True(retryDue > firstDue, "the retry was not moved forward");
        Assert.True(retryDue > clock.GetUtcNow().UtcDateTime, "the retry is due at once instead of after a backoff");
        // Not due yet: the same clock claims nothing.
        Assert.DoesNotContain(id, await OutboxDriver.TickAsync(app, Instance, clock));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, clock));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'dead' AND attempts = 2", ("id", id)));

        var staff = await app.StaffAsync();
        using var client = app.Client(staff.AccessToken);
        var list = await client.GetAsync("/v1/admin/jobs?status=dead&type=" + RecordingJob.JobType);
        var dead = (await list.ExpectAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().Single(j => j.GetProperty("id").GetGuid() == id);
        Assert.Equal("dead", dead.GetProperty("status").GetString());
        Assert.Equal("The partner is down.", dead.GetProperty("last_error").GetString());

        var retry = await client.PostAsync($"/v1/admin/jobs/{id}/retry", null);
        var job = (await retry.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("pending", job.GetProperty("status").GetString());
        Assert.Equal(0, job.GetProperty("attempts").GetInt32());

        recorder.Broken.TryRemove(id, out _);
        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, clock));
        Assert.Equal(1, recorder.Runs[id]);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'done' AND last_error IS NULL AND completed_at IS NOT NULL", ("id", id)));
    }

    [Fact]
    public async Task A_permanent_failure_is_dead_at_the_first_attempt()
    {
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "permanent" }, maxAttempts: 8);

        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, TimeProvider.System));

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE id = @id AND status = 'dead' AND attempts = 1 AND last_error = 'The partner refused the request for good.'", ("id", id)));
        Assert.False(app.Recorder.Runs.ContainsKey(id));
    }

    [Fact]
    public async Task A_job_of_an_unknown_type_is_dead()
    {
        var id = await app.InsertJobAsync("test.nobody-handles-this", new { });

        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, TimeProvider.System));

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE id = @id AND status = 'dead' AND last_error LIKE 'No handler for job type%'", ("id", id)));
    }

    [Fact]
    public async Task A_job_runs_in_its_rows_tenant_and_sees_that_tenants_rows_only()
    {
        var a = await app.SignUpAsync(workspace: "Tenant A");
        var b = await app.SignUpAsync(workspace: "Tenant B");
        await app.InsertAutomationAsync(a.TenantId, "A's automation");
        await app.InsertAutomationAsync(b.TenantId, "B's automation");
        var id = await app.InsertJobAsync(RecordingJob.JobType, new { mode = "read_automations" }, tenantId: a.TenantId);

        Assert.Contains(id, await OutboxDriver.TickAsync(app, Instance, TimeProvider.System));

        Assert.Equal(["A's automation"], app.Recorder.SeenAutomations[id]);
    }
}
