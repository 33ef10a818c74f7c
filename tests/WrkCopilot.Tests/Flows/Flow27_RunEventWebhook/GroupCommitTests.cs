using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Flows.Flow27_RunEventWebhook;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow27_RunEventWebhook;

/// <summary>
/// Deliveries in flight share one transaction (<see cref="RunEventCommitter"/>): each still lands in its own binding's tenant,
/// a repeat inside one batch is written once, two statuses of one run in one batch apply in order, and an event the database
/// refuses fails alone.
/// </summary>
public sealed class GroupCommitTests(RunEventsApp app) : IClassFixture<RunEventsApp>
{
    private RunEventCommitter Committer => app.Services.GetRequiredService<RunEventCommitter>();

    private RunEventPayload Payload(RunWorkflow wf, string runId, string status = "succeeded") => new(wf.WorkflowId, runId, status,
        app.Now.AddMinutes(-1), status == "running" ? null : app.Now, null, 0.5m, """{"trigger":"schedule"}""");

    [Fact]
    public async Task Concurrent_deliveries_of_two_tenants_each_land_in_their_own_tenant_exactly_once()
    {
        var a = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        var b = await app.InsertWorkflowAsync(await app.InsertTenantAsync());

        // 40 distinct runs per tenant, each delivered twice, all at once: batches mix tenants and repeats.
        var sends = Enumerable.Range(0, 80).SelectMany(i =>
        {
            var wf = i % 2 == 0 ? a : b;
            var body = ArrangeRuns.Event(wf.WorkflowId, $"run-{i / 2}", "succeeded", app.Now.AddMinutes(-1), 0.5m);
            return new[] { app.SendEventAsync(body, $"msg-{i}"), app.SendEventAsync(body, $"msg-{i}") };
        }).ToList();
        var answers = await Task.WhenAll(sends);

        Assert.All(answers, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        foreach (var wf in new[] { a, b })
        {
            Assert.Equal(40, await app.CountAsync(
                "SELECT count(*) FROM run_events WHERE workflow_binding_id = @b AND tenant_id = @t AND automation_version_id = @v",
                ("b", wf.BindingId), ("t", wf.TenantId), ("v", wf.VersionId)));
        }
    }

    [Fact]
    public async Task Running_then_succeeded_in_one_batch_ends_succeeded_and_a_repeat_in_it_is_not_written()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());

        // Queued without awaiting: the first call writes alone or leads, the rest share the next transaction in order.
        var running = Committer.CommitAsync(Payload(wf, "run-x", "running"), "m-1");
        var done = Committer.CommitAsync(Payload(wf, "run-x"), "m-2");
        var repeat = Committer.CommitAsync(Payload(wf, "run-x"), "m-2");
        var results = await Task.WhenAll(running, done, repeat);

        Assert.True(results[0].Written);
        Assert.True(results[1].Written);
        Assert.False(results[2].Written);
        Assert.All(results, r => Assert.Equal(wf.TenantId, r.TenantId));
        Assert.Equal("succeeded", await app.ScalarAsync<string>(
            "SELECT status FROM run_events WHERE workflow_binding_id = @b AND run_id = 'run-x'", ("b", wf.BindingId)));
    }

    [Fact]
    public async Task An_unknown_workflow_in_a_batch_resolves_to_no_tenant_and_the_others_are_written()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        var unknown = wf with { WorkflowId = "wf_nobody_" + Guid.NewGuid().ToString("N") };

        var results = await Task.WhenAll(
            Committer.CommitAsync(Payload(wf, "run-u1"), "u-1"),
            Committer.CommitAsync(Payload(unknown, "run-u2"), "u-2"),
            Committer.CommitAsync(Payload(wf, "run-u3"), "u-3"));

        Assert.Null(results[1].TenantId);
        Assert.False(results[1].Written);
        Assert.True(results[0].Written && results[2].Written);
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
    }

    [Fact]
    public async Task An_event_the_database_refuses_fails_alone_and_the_rest_of_its_batch_commits()
    {
        var wf = await app.InsertWorkflowAsync(await app.InsertTenantAsync());
        // Test-only: the database refuses one run id, as it would a row breaking a constraint.
        await app.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'poison' USING ERRCODE = 'check_violation'; END $$;
            CREATE TRIGGER test_refuse_poison BEFORE INSERT ON run_events FOR EACH ROW
                WHEN (NEW.run_id = 'poison') EXECUTE FUNCTION test_refuse_poison();
            """);
        try
        {
            var tasks = new[] { "ok-1", "poison", "ok-2", "ok-3" }
                .Select(run => Committer.CommitAsync(Payload(wf, run), "p-" + run)).ToList();

            await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => tasks[1]);
            var others = await Task.WhenAll(tasks[0], tasks[2], tasks[3]);
            Assert.All(others, r => Assert.True(r.Written));
            Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
        }
        finally
        {
            await app.ExecuteAsync("DROP TRIGGER test_refuse_poison ON run_events; DROP FUNCTION test_refuse_poison();");
        }
    }
}
