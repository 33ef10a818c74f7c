using System.Net;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow22_BuildOrchestration;

/// <summary>
/// The build worker (Flows 21/22) against a WRK Platform over HTTP (WireMock): create or update the version's workflow, save the
/// binding (<c>inactive</c>), T5 with the build checklist; retries on outages, T11 on a refusal or the last attempt.
/// </summary>
public sealed class BuildJobTests(WrkPlatformHttpApp app) : IClassFixture<WrkPlatformHttpApp>
{
    private const string WorkflowsPath = "/v1/workflows";
    private static readonly string[] ChecklistTitles = ["Check outputs with the client", "Run test data", "Verify credentials"];

    private void PlatformCreates(string workflowId)
    {
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath(WorkflowsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201)
                .WithBodyAsJson(new { workflow_id = workflowId, url = $"https://platform.example/{workflowId}", status = "inactive" }));
    }

    private Task<string> VersionStatusAsync(Guid versionId) =>
        app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId));

    private Task<string> JobStatusAsync(Guid jobId) => app.ScalarAsync("SELECT status FROM outbox WHERE id = @id", ("id", jobId));

    private Task<long> ChecklistAsync(Guid versionId, string status) => app.CountAsync(
        "SELECT count(*) FROM tasks WHERE context_type = 'automation_version' AND context_id = @v AND kind = 'build_checklist' AND status = @s",
        ("v", versionId), ("s", status));

    private static string NewWorkflowId() => $"wf_{Guid.NewGuid():N}";

    [Fact]
    public async Task The_first_build_creates_the_workflow_saves_an_inactive_binding_and_moves_the_version_to_QA_with_its_checklist()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        var workflowId = NewWorkflowId();
        PlatformCreates(workflowId);
        var job = await app.BuildJobAsync(tenant, v.VersionId);

        await app.DeliverOutboxAsync();

        var request = Assert.Single(app.Platform.LogEntries).RequestMessage;
        var body = JsonDocument.Parse(request.Body!).RootElement;
        Assert.Equal(v.VersionId.ToString(), body.GetProperty("external_ref").GetString());
        Assert.Equal(tenant.ToString(), body.GetProperty("tenant_ref").GetString());
        Assert.Equal("Lead sync v1.0", body.GetProperty("name").GetString());
        Assert.Equal("st_1", body.GetProperty("blueprint").GetProperty("sections")[0].GetProperty("steps")[0].GetProperty("id").GetString());

        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM workflow_bindings WHERE tenant_id = @t AND automation_version_id = @v AND wrk_workflow_id = @w
              AND wrk_workflow_url = @url AND status = 'inactive'
            """, ("t", tenant), ("v", v.VersionId), ("w", workflowId), ("url", $"https://platform.example/{workflowId}")));
        Assert.Equal("qa_testing", await VersionStatusAsync(v.VersionId));
        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND action_type = 'status_transition' AND metadata_json->>'transition' = 'T5' AND user_id IS NULL",
            ("v", v.VersionId)));
        Assert.Equal(3, await ChecklistAsync(v.VersionId, "todo"));
        var titles = await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new Npgsql.NpgsqlCommand(
                "SELECT title FROM tasks WHERE context_id = @v AND kind = 'build_checklist' AND visibility = 'staff' AND tenant_id = @t ORDER BY title", conn);
            cmd.Parameters.AddWithValue("v", v.VersionId);
            cmd.Parameters.AddWithValue("t", tenant);
            var list = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                list.Add(r.GetString(0));
            }
            return list;
        });
        Assert.Equal(ChecklistTitles, titles);
        Assert.Equal("0", await app.ScalarAsync("SELECT checklist_progress FROM projects WHERE id = @id", ("id", v.ProjectId)));
        // Staff hear that QA can start.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'automation_version.qa_testing' AND payload->'audience'->>'kind' = 'staff'",
            ("t", tenant)));
        Assert.Equal("done", await JobStatusAsync(job));
    }

    [Fact]
    public async Task A_rebuild_updates_the_same_workflow_and_reopens_every_checklist_task()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        var workflowId = NewWorkflowId();
        await app.ExecuteAsync(
            "INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, wrk_workflow_url, status, created_at, updated_at) VALUES (@id, @t, @v, @w, 'https://platform.example/old', 'inactive', now(), now())",
            ("id", Guid.CreateVersion7()), ("t", tenant), ("v", v.VersionId), ("w", workflowId));
        foreach (var (title, status) in new[] { ("Verify credentials", "done"), ("Run test data", "cancelled"), ("Check outputs with the client", "in_progress") })
        {
            var task = await app.TaskAsync(tenant, "automation_version", v.VersionId, status, "build_checklist");
            await app.ExecuteAsync("UPDATE tasks SET title = @title WHERE id = @id", ("title", title), ("id", task));
        }
        await app.ExecuteAsync("UPDATE projects SET checklist_progress = 66 WHERE id = @id", ("id", v.ProjectId));
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath($"{WorkflowsPath}/{workflowId}").UsingPut())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithBodyAsJson(new { workflow_id = workflowId, url = $"https://platform.example/{workflowId}", status = "inactive" }));
        await app.BuildJobAsync(tenant, v.VersionId, reason: "qa_failed");

        await app.DeliverOutboxAsync();

        var request = Assert.Single(app.Platform.LogEntries).RequestMessage;
        Assert.Equal("PUT", request.Method);
        Assert.True(JsonDocument.Parse(request.Body!).RootElement.TryGetProperty("blueprint", out _));
        Assert.Equal("qa_testing", await VersionStatusAsync(v.VersionId));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal($"https://platform.example/{workflowId}",
            await app.ScalarAsync("SELECT wrk_workflow_url FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal(3, await ChecklistAsync(v.VersionId, "todo"));
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v", ("v", v.VersionId)));
        Assert.Equal("0", await app.ScalarAsync("SELECT checklist_progress FROM projects WHERE id = @id", ("id", v.ProjectId)));
    }

    [Fact]
    public async Task An_outage_is_retried_by_the_outbox_and_the_build_completes_once_the_platform_is_back()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath(WorkflowsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        var job = await app.BuildJobAsync(tenant, v.VersionId);

        await app.DeliverOutboxAsync();

        // One job attempt: the client's own three tries, then the job waits for its backoff.
        Assert.Equal(3, app.Platform.LogEntries.Count());
        Assert.Equal("pending", await JobStatusAsync(job));
        Assert.Contains("WRK Platform is unavailable", await app.ScalarAsync("SELECT last_error FROM outbox WHERE id = @id", ("id", job)));
        Assert.Equal("build_in_progress", await VersionStatusAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v", ("v", v.VersionId)));

        var workflowId = NewWorkflowId();
        PlatformCreates(workflowId);
        await app.ExecuteAsync("UPDATE outbox SET available_at = now() - interval '1 second' WHERE id = @id", ("id", job));
        await app.DeliverOutboxAsync();

        Assert.Equal("done", await JobStatusAsync(job));
        Assert.Equal("qa_testing", await VersionStatusAsync(v.VersionId));
        Assert.Equal(workflowId, await app.ScalarAsync("SELECT wrk_workflow_id FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
    }

    [Fact]
    public async Task An_outage_on_the_last_attempt_blocks_the_version_with_a_task_and_ends_the_job()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath(WorkflowsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(500).WithBodyAsJson(new { detail = "database is down" }));
        var job = await app.BuildJobAsync(tenant, v.VersionId, attempts: 7, maxAttempts: 8);

        await app.DeliverOutboxAsync();

        Assert.Equal("blocked", await VersionStatusAsync(v.VersionId));
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status_before_blocked FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        var reason = await app.ScalarAsync("SELECT blocked_reason FROM automation_versions WHERE id = @id", ("id", v.VersionId));
        Assert.Equal("WRK Platform unavailable after 8 attempts: The WRK Platform answered 500: database is down", reason);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE context_id = @v AND kind = 'general_todo' AND visibility = 'staff' AND priority = 'high' AND description = @r",
            ("v", v.VersionId), ("r", reason)));
        Assert.Equal("done", await JobStatusAsync(job));
        Assert.Equal(0, await ChecklistAsync(v.VersionId, "todo"));
    }

    [Fact]
    public async Task A_refusal_blocks_the_version_at_once_with_the_platforms_error_and_is_not_retried()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath(WorkflowsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(422).WithHeader("Content-Type", "application/problem+json")
                .WithBodyAsJson(new { status = 422, code = "invalid_blueprint", detail = "Step st_1 uses an unknown connector." }));
        var job = await app.BuildJobAsync(tenant, v.VersionId);

        await app.DeliverOutboxAsync();

        Assert.Single(app.Platform.LogEntries);
        Assert.Equal("blocked", await VersionStatusAsync(v.VersionId));
        Assert.Equal("WRK Platform refused the workflow (422 invalid_blueprint): Step st_1 uses an unknown connector.",
            await app.ScalarAsync("SELECT blocked_reason FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v AND kind = 'general_todo'", ("v", v.VersionId)));
        Assert.Equal("done", await JobStatusAsync(job));
        Assert.Equal("1", await app.ScalarAsync("SELECT attempts FROM outbox WHERE id = @id", ("id", job)));
    }

    [Fact]
    public async Task A_refused_rebuild_marks_the_binding_in_error_with_the_reason()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        var workflowId = NewWorkflowId();
        await app.ExecuteAsync(
            "INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at) VALUES (@id, @t, @v, @w, 'inactive', now(), now())",
            ("id", Guid.CreateVersion7()), ("t", tenant), ("v", v.VersionId), ("w", workflowId));
        app.Platform.Reset();
        app.Platform.Given(Request.Create().WithPath($"{WorkflowsPath}/{workflowId}").UsingPut())
            .RespondWith(Response.Create().WithStatusCode(404).WithBodyAsJson(new { code = "workflow_not_found", detail = "No such workflow." }));
        await app.BuildJobAsync(tenant, v.VersionId, reason: "qa_failed");

        await app.DeliverOutboxAsync();

        Assert.Equal("blocked", await VersionStatusAsync(v.VersionId));
        Assert.Equal("error", await app.ScalarAsync("SELECT status FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal("WRK Platform refused the workflow (404 workflow_not_found): No such workflow.",
            await app.ScalarAsync("SELECT last_error FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
    }

    [Theory]
    [InlineData("qa_testing")]
    [InlineData("blocked")]
    [InlineData("archived")]
    public async Task A_job_for_a_version_that_moved_on_calls_nothing_and_changes_nothing(string status)
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, status, statusBeforeBlocked: status == "blocked" ? "build_in_progress" : null);
        PlatformCreates(NewWorkflowId());
        var job = await app.BuildJobAsync(tenant, v.VersionId);

        await app.DeliverOutboxAsync();

        Assert.Empty(app.Platform.LogEntries);
        Assert.Equal("done", await JobStatusAsync(job));
        Assert.Equal(status, await VersionStatusAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE resource_id = @v", ("v", v.VersionId)));
    }

    [Fact]
    public async Task A_redelivered_job_after_a_build_changes_nothing_more()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");
        PlatformCreates(NewWorkflowId());
        await app.BuildJobAsync(tenant, v.VersionId);
        await app.DeliverOutboxAsync();

        await app.BuildJobAsync(tenant, v.VersionId);
        await app.DeliverOutboxAsync();

        Assert.Single(app.Platform.LogEntries);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", v.VersionId)));
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v", ("v", v.VersionId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE resource_id = @v AND action_type = 'status_transition'", ("v", v.VersionId)));
    }

    [Fact]
    public async Task A_build_touches_only_its_own_tenant_and_a_job_in_the_wrong_tenant_sees_no_version()
    {
        var tenantA = await app.InsertTenantAsync("A");
        var tenantB = await app.InsertTenantAsync("B");
        var a = await app.VersionAsync(tenantA, "build_in_progress");
        var b = await app.VersionAsync(tenantB, "build_in_progress");
        PlatformCreates(NewWorkflowId());

        var foreign = await app.BuildJobAsync(tenantB, a.VersionId);
        await app.DeliverOutboxAsync();

        Assert.Empty(app.Platform.LogEntries);
        Assert.Equal("done", await JobStatusAsync(foreign));
        Assert.Equal("build_in_progress", await VersionStatusAsync(a.VersionId));

        await app.BuildJobAsync(tenantA, a.VersionId);
        await app.DeliverOutboxAsync();

        Assert.Equal("qa_testing", await VersionStatusAsync(a.VersionId));
        Assert.Equal("build_in_progress", await VersionStatusAsync(b.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE tenant_id = @t", ("t", tenantB)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", tenantB)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t", ("t", tenantB)));
    }
}

/// <summary>The lifecycle through HTTP and the simulated platform: signing starts the build, QA failing rebuilds the same workflow.</summary>
public sealed class SimulatedBuildTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Signing_builds_on_the_simulator_and_a_failed_QA_rebuilds_the_same_workflow_with_the_checklist_reopened()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" }))
            .ExpectAsync(HttpStatusCode.OK);

        await app.DeliverOutboxAsync();

        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        var workflowId = await app.ScalarAsync("SELECT wrk_workflow_id FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId));
        var workflow = app.Simulator().Find(workflowId);
        Assert.NotNull(workflow);
        Assert.Equal("inactive", workflow.Status);
        Assert.Equal(1, app.Simulator().Definition(workflowId)!.Value.Revision);

        // QA works through the checklist, then fails the build (T7 through Flow 13's endpoint).
        await app.ExecuteAsync("UPDATE tasks SET status = 'done' WHERE context_id = @v AND kind = 'build_checklist'", ("v", priced.VersionId));
        await (await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/automation-versions/{priced.VersionId}/status",
            new { status = "build_in_progress", reason = "The HubSpot step writes the wrong owner." })).ExpectAsync(HttpStatusCode.OK);

        await app.DeliverOutboxAsync();

        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        Assert.Equal(2, app.Simulator().Definition(workflowId)!.Value.Revision);
        Assert.Equal(workflowId, await app.ScalarAsync("SELECT wrk_workflow_id FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId)));
        Assert.Equal(3, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE context_id = @v AND kind = 'build_checklist' AND status = 'todo'", ("v", priced.VersionId)));
    }
}
