using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow23_QaResult;

public sealed class QaResultTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string Url(Guid id) => $"/v1/automation-versions/{id}/qa";

    private Task<string> StatusOfAsync(Guid versionId) =>
        app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId));

    private Task<long> TransitionAuditsAsync(Guid versionId) =>
        app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @id", ("id", versionId));

    [Fact]
    public async Task Ops_passes_QA_once_the_checklist_is_closed_the_version_is_ready_and_the_client_admins_are_told()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "done", kind: "build_checklist");
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "cancelled", kind: "build_checklist");
        // Open tasks of other kinds do not hold QA up.
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "todo", kind: "general_todo");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "pass", notes = "All green" }))
            .ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("ready_to_launch", data.GetProperty("status").GetString());
        Assert.Equal(v.VersionId, data.GetProperty("id").GetGuid());
        Assert.Equal("ready_to_launch", await StatusOfAsync(v.VersionId));
        Assert.Equal("ready_to_launch", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_type = 'automation_version'
              AND resource_id = @v AND tenant_id = @t AND user_id = @u AND metadata_json->>'from' = 'qa_testing'
              AND metadata_json->>'to' = 'ready_to_launch' AND metadata_json->>'transition' = 'T6' AND metadata_json->>'reason' = 'All green'
              AND (metadata_json->>'actor_is_staff')::boolean
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", ops.UserId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification'
              AND payload->>'event' = 'automation_version.ready_to_launch' AND payload->'audience'->>'kind' = 'tenant_admins'
            """, ("t", admin.TenantId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task An_open_build_checklist_task_fails_the_guard_and_nothing_changes()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "done", kind: "build_checklist");
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "in_progress", kind: "build_checklist");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "pass" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("build_checklist_closed", body.GetProperty("guard").GetString());
        Assert.Contains("1 build-checklist task", body.GetProperty("detail").GetString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await TransitionAuditsAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task An_operator_admin_fails_QA_and_the_notes_go_back_to_the_build()
    {
        var staff = await app.OperatorAdminAsync();
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        // A failing QA does not wait for the checklist.
        await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "todo", kind: "build_checklist");

        var body = await (await app.Client(staff.AccessToken).PostJsonAsync(Url(v.VersionId),
            new { result = "fail", notes = "  The HubSpot step drops the lead owner.  " })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("build_in_progress", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("build_in_progress", await StatusOfAsync(v.VersionId));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests' AND type = 'build_requested'
              AND payload->>'automation_version_id' = @v AND payload->>'reason' = 'qa_failed'
              AND payload->>'notes' = 'The HubSpot step drops the lead owner.'
            """, ("t", admin.TenantId), ("v", v.VersionId.ToString())));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND tenant_id = @t AND user_id = @u
              AND metadata_json->>'transition' = 'T7' AND metadata_json->>'reason' = 'The HubSpot step drops the lead owner.'
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", staff.UserId)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public async Task Failing_QA_without_notes_is_400_naming_notes(string? notes)
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "fail", notes }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal("validation_failed", body.GetProperty("code").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty("$.notes", out _), body.ToString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_result_other_than_pass_or_fail_and_unknown_fields_are_400_naming_the_path()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        using var client = app.Client(ops.AccessToken);

        var wrong = await (await client.PostJsonAsync(Url(v.VersionId), new { result = "passed" })).ExpectAsync(HttpStatusCode.BadRequest);
        var missing = await (await client.PostJsonAsync(Url(v.VersionId), new { notes = "n" })).ExpectAsync(HttpStatusCode.BadRequest);
        var unknown = await (await client.PostJsonAsync(Url(v.VersionId), new { result = "pass", score = 10 })).ExpectAsync(HttpStatusCode.BadRequest);
        var tooLong = await (await client.PostJsonAsync(Url(v.VersionId), new { result = "fail", notes = new string('n', 2001) }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(wrong.GetProperty("errors").TryGetProperty("$.result", out _), wrong.ToString());
        Assert.True(missing.GetProperty("errors").TryGetProperty("$.result", out _), missing.ToString());
        Assert.True(unknown.GetProperty("errors").TryGetProperty("$.score", out _), unknown.ToString());
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("$.notes", out _), tooLong.ToString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }

    [Theory]
    [InlineData("build_in_progress", "pass")]
    [InlineData("ready_to_launch", "fail")]
    [InlineData("live", "pass")]
    public async Task A_version_not_in_QA_is_409_invalid_transition_naming_its_status(string status, string result)
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, status);

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { result, notes = "n" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("current_status").GetString());
        Assert.Equal(status, await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_failed_QA_never_unblocks_a_version_blocked_during_its_build()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "blocked", statusBeforeBlocked: "build_in_progress");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "fail", notes = "n" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal("blocked", await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests'", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("member")]
    public async Task Clients_may_not_record_QA_results(string role)
    {
        var admin = await app.SignUpAsync();
        var caller = role == "admin" ? admin : await app.AddMemberAsync(admin.TenantId, [role]);
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        var body = await (await app.Client(caller.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "pass" }))
            .ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_cs_admin_and_an_API_key_may_not_record_QA_results()
    {
        var cs = await app.StaffAsync("cs_admin");
        var admin = await app.SignUpAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        await (await app.Client(cs.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "pass" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PostJsonAsync(Url(v.VersionId), new { result = "pass" })).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_client_of_another_tenant_learns_nothing_and_an_unknown_version_is_404()
    {
        var ops = await app.StaffAsync("ops_admin");
        var owner = await app.SignUpAsync(workspace: "Owner Co");
        var stranger = await app.SignUpAsync(workspace: "Stranger Co");
        var v = await app.VersionAsync(owner.TenantId, "qa_testing");

        var foreign = await app.Client(stranger.AccessToken).PostJsonAsync(Url(v.VersionId), new { result = "pass" });
        var text = await foreign.Content.ReadAsStringAsync();
        var unknown = await (await app.Client(ops.AccessToken).PostJsonAsync(Url(Guid.CreateVersion7()), new { result = "pass" }))
            .ExpectAsync(HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.DoesNotContain("qa_testing", text);
        Assert.DoesNotContain(v.AutomationId.ToString(), text);
        Assert.DoesNotContain(owner.TenantId.ToString(), text);
        Assert.Equal("not_found", unknown.GetProperty("code").GetString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_QA_stays_open()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        using var client = app.Client(ops.AccessToken);
        client.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", "\"99\"");

        await (await client.PostJsonAsync(Url(v.VersionId), new { result = "pass" })).ExpectAsync(HttpStatusCode.PreconditionFailed);

        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }
}
