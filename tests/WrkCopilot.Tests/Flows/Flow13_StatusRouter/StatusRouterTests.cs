using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow13_StatusRouter;

public sealed class StatusRouterTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string VersionUrl(Guid id) => $"/v1/automation-versions/{id}/status";

    private static string ProjectUrl(Guid id) => $"/v1/admin/projects/{id}/status";

    private Task<string> StatusOfAsync(Guid versionId) =>
        app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId));

    private Task<string> ProjectStatusOfAsync(Guid projectId) =>
        app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", projectId));

    private Task<long> TransitionAuditsAsync(Guid versionId) =>
        app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @id", ("id", versionId));

    [Fact]
    public async Task A_member_submits_for_pricing_through_the_generic_endpoint_too_and_gets_the_draft_quote()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var v = await app.VersionAsync(admin.TenantId, "intake_in_progress");

        var res = await app.Client(member.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "needs_pricing" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("needs_pricing", await StatusOfAsync(v.VersionId));
        Assert.Equal("needs_pricing", await ProjectStatusOfAsync(v.ProjectId));
        Assert.Equal("draft", await app.ScalarAsync("SELECT status FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
        Assert.Equal("draft", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @p AND kind = 'pricing'", ("p", v.ProjectId)));
        Assert.Equal(1, await TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task QA_passes_only_once_the_build_checklist_is_closed()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        var open = await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "in_progress", kind: "build_checklist");
        var staff = app.Client(ops.AccessToken);

        var refused = await staff.PatchJsonAsync(VersionUrl(v.VersionId), new { status = "ready_to_launch" });
        var body = await refused.ReadAsync();
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("build_checklist_closed", body.GetProperty("guard").GetString());
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await TransitionAuditsAsync(v.VersionId));

        await app.ExecuteAsync("UPDATE tasks SET status = 'done' WHERE id = @id", ("id", open));
        var passed = await staff.PatchJsonAsync(VersionUrl(v.VersionId), new { status = "ready_to_launch" });

        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal("ready_to_launch", await StatusOfAsync(v.VersionId));
        Assert.Equal("ready_to_launch", await ProjectStatusOfAsync(v.ProjectId));
        Assert.Equal(1, await TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_viewer_may_not_change_a_status()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var v = await app.VersionAsync(admin.TenantId, "intake_in_progress");

        var res = await app.Client(viewer.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "needs_pricing" });

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal("forbidden", (await res.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal("intake_in_progress", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_member_may_not_archive_though_the_transition_exists()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var v = await app.VersionAsync(admin.TenantId, "needs_pricing");

        var res = await app.Client(member.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" });

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Contains("T13", (await res.ReadAsync()).GetProperty("detail").GetString());
        Assert.Equal("needs_pricing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task Another_tenants_version_is_not_found_and_nothing_leaks()
    {
        var owner = await app.SignUpAsync(workspace: "Owner Co");
        var stranger = await app.SignUpAsync(workspace: "Stranger Co");
        var v = await app.VersionAsync(owner.TenantId, "intake_in_progress");

        var res = await app.Client(stranger.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" });
        var text = await res.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain("intake_in_progress", text);
        Assert.DoesNotContain(v.AutomationId.ToString(), text);
        Assert.DoesNotContain(owner.TenantId.ToString(), text);
        Assert.Equal("intake_in_progress", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task An_unknown_version_is_not_found()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");

        var asClient = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(Guid.CreateVersion7()), new { status = "archived" });
        var asStaff = await app.Client(ops.AccessToken).PatchJsonAsync(VersionUrl(Guid.CreateVersion7()), new { status = "blocked", reason = "r" });

        Assert.True(asClient.StatusCode == HttpStatusCode.NotFound, await asClient.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, asStaff.StatusCode);
    }

    [Fact]
    public async Task A_pair_outside_the_table_names_the_current_status_and_the_allowed_targets()
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "intake_in_progress");

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "live" });
        var body = await res.ReadAsync();

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal("intake_in_progress", body.GetProperty("current_status").GetString());
        Assert.Equal(["needs_pricing", "blocked", "archived"],
            body.GetProperty("allowed_targets").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Theory]
    [InlineData("bogus", "$.status")]
    [InlineData("", "$.status")]
    public async Task An_unknown_status_is_refused_naming_the_field(string status, string path)
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "intake_in_progress");

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status });
        var body = await res.ReadAsync();

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }

    [Fact]
    public async Task A_reason_longer_than_allowed_is_refused_naming_the_field()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason = new string('x', 2001) });

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True((await res.ReadAsync()).GetProperty("errors").TryGetProperty("$.reason", out _));
    }

    [Fact]
    public async Task Staff_block_and_unblock_a_project_in_the_clients_tenant()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        var staff = app.Client(ops.AccessToken);

        var block = await staff.PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason = "Salesforce credentials expired" });
        var blocked = (await block.ReadAsync()).GetProperty("data");

        Assert.Equal(HttpStatusCode.OK, block.StatusCode);
        Assert.Equal(v.ProjectId, blocked.GetProperty("project_id").GetGuid());
        Assert.Equal(v.VersionId, blocked.GetProperty("id").GetGuid());
        Assert.Equal("blocked", blocked.GetProperty("status").GetString());
        Assert.Equal("qa_testing", blocked.GetProperty("status_before_blocked").GetString());
        Assert.Equal("Salesforce credentials expired", blocked.GetProperty("blocked_reason").GetString());
        Assert.Equal("blocked", await ProjectStatusOfAsync(v.ProjectId));
        // Someone on staff is asked to unblock it; the client does not see the task.
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM tasks WHERE tenant_id = @t AND context_type = 'automation_version' AND context_id = @v
              AND kind = 'general_todo' AND visibility = 'staff' AND priority = 'high' AND status = 'todo'
              AND title = 'Version v1.0 blocked: Salesforce credentials expired' AND description = 'Salesforce credentials expired'
              AND created_by_id = @u
            """, ("t", admin.TenantId), ("v", v.VersionId), ("u", ops.UserId)));

        var unblock = await staff.PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "qa_testing" });
        var unblocked = (await unblock.ReadAsync()).GetProperty("data");

        Assert.Equal(HttpStatusCode.OK, unblock.StatusCode);
        Assert.Equal("qa_testing", unblocked.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, unblocked.GetProperty("status_before_blocked").ValueKind);
        Assert.Equal(JsonValueKind.Null, unblocked.GetProperty("blocked_reason").ValueKind);
        Assert.Equal("qa_testing", await ProjectStatusOfAsync(v.ProjectId));

        // Audited in the client's tenant, with the staff user as actor.
        Assert.Equal(2, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'status_transition' AND resource_id = @v
            """, ("t", admin.TenantId), ("u", ops.UserId), ("v", v.VersionId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'status_transition'
              AND metadata_json->>'transition' = 'T11' AND metadata_json->>'reason' = 'Salesforce credentials expired'
            """, ("t", admin.TenantId), ("u", ops.UserId)));
        Assert.Equal(2, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'staff_elevation'
              AND resource_id = @p AND metadata_json->>'resource_type' = 'project'
            """, ("t", admin.TenantId), ("u", ops.UserId), ("p", v.ProjectId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t", ("t", ops.TenantId)));
    }

    [Fact]
    public async Task Unblocking_back_into_a_build_requests_the_build_again()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "blocked", statusBeforeBlocked: "build_in_progress");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "build_in_progress" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("build_in_progress", await StatusOfAsync(v.VersionId));
        Assert.Equal("build_in_progress", await ProjectStatusOfAsync(v.ProjectId));
        Assert.Equal("", await app.ScalarAsync("SELECT status_before_blocked FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND type = 'build_requested' AND tenant_id = @t AND payload->>'automation_version_id' = @v AND payload->>'reason' = 'unblocked'",
            ("t", admin.TenantId), ("v", v.VersionId.ToString())));
        Assert.Equal(1, await TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task Blocking_without_a_reason_fails_its_guard()
    {
        var ops = await app.StaffAsync("admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "live");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason = "  " });
        var body = await res.ReadAsync();

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("live", await StatusOfAsync(v.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'staff_elevation'", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("cs_admin")]
    public async Task Staff_without_lifecycle_powers_are_refused_on_both_endpoints(string role)
    {
        var cs = await app.StaffAsync(role);
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        var client = app.Client(cs.AccessToken);

        var viaProject = await client.PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason = "r" });
        var viaVersion = await client.PatchJsonAsync(VersionUrl(v.VersionId), new { status = "blocked", reason = "r" });

        Assert.Equal(HttpStatusCode.Forbidden, viaProject.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viaVersion.StatusCode);
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_long_reason_with_an_emoji_at_the_cut_is_stored_whole_characters_only()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        var reason = new string('a', 118) + "\U0001F600" + " and the rest of the story";

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var title = await app.ScalarAsync("SELECT title FROM tasks WHERE context_id = @id", ("id", v.VersionId));
        Assert.EndsWith("…", title, StringComparison.Ordinal);
        Assert.True(title.EnumerateRunes().All(r => r != System.Text.Rune.ReplacementChar), "the title holds half a character");
        Assert.Equal(reason, await app.ScalarAsync("SELECT blocked_reason FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
    }

    [Theory]
    [InlineData("W/\"1\"", HttpStatusCode.PreconditionFailed)] // weak tags never match If-Match (RFC 9110 13.1.1)
    [InlineData("1", HttpStatusCode.PreconditionFailed)]
    [InlineData("\"1", HttpStatusCode.PreconditionFailed)]
    [InlineData("\"1\"", HttpStatusCode.OK)]
    [InlineData("\"9\", \"1\"", HttpStatusCode.OK)]
    public async Task If_match_uses_strong_comparison(string ifMatch, HttpStatusCode expected)
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "needs_pricing");
        using var req = new HttpRequestMessage(HttpMethod.Patch, VersionUrl(v.VersionId))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { status = "archived" }),
        };
        req.Headers.TryAddWithoutValidation("If-Match", ifMatch);

        var res = await app.Client(admin.AccessToken).SendAsync(req);

        Assert.Equal(expected, res.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? "archived" : "needs_pricing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_client_admin_may_not_use_the_admin_endpoint()
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "needs_pricing");

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "archived" });

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal("needs_pricing", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task An_unknown_project_is_not_found_for_staff()
    {
        var ops = await app.StaffAsync("ops_admin");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(Guid.CreateVersion7()), new { status = "blocked", reason = "r" });

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
    }

    [Fact]
    public async Task Ops_send_the_draft_quote_through_the_generic_endpoint_in_the_clients_tenant()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "needs_pricing");
        await app.QuoteAsync(admin.TenantId, v.VersionId, "draft");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "awaiting_client_approval" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("awaiting_client_approval", await StatusOfAsync(v.VersionId));
        Assert.Equal("awaiting_client_approval", await ProjectStatusOfAsync(v.ProjectId));
        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
        Assert.Equal("sent", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'status_transition' AND metadata_json->>'transition' = 'T2'",
            ("t", admin.TenantId), ("u", ops.UserId)));
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_and_a_current_one_accepted()
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "needs_pricing");
        var client = app.Client(admin.AccessToken);

        var stale = new HttpRequestMessage(HttpMethod.Patch, VersionUrl(v.VersionId)) { Content = JsonContent(new { status = "archived" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        var staleRes = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleRes.StatusCode);
        Assert.Equal("precondition_failed", (await staleRes.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal("needs_pricing", await StatusOfAsync(v.VersionId));

        var current = new HttpRequestMessage(HttpMethod.Patch, VersionUrl(v.VersionId)) { Content = JsonContent(new { status = "archived" }) };
        current.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var currentRes = await client.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, currentRes.StatusCode);
        Assert.Equal("archived", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task Of_two_racing_transitions_exactly_one_wins()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        for (var round = 0; round < 5; round++)
        {
            var v = await app.VersionAsync(admin.TenantId, "live");
            var requests = new[] { "Token revoked", "Token revoked" }
                .Select(reason => app.Client(ops.AccessToken).PatchJsonAsync(ProjectUrl(v.ProjectId), new { status = "blocked", reason }))
                .ToArray();
            var responses = await Task.WhenAll(requests);

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
            Assert.Contains((await loser.ReadAsync()).GetProperty("code").GetString(), new[] { "concurrency_conflict", "invalid_transition" });
            Assert.Equal(1, await TransitionAuditsAsync(v.VersionId));
            Assert.Equal(2, long.Parse(await app.ScalarAsync("SELECT row_version FROM automation_versions WHERE id = @id", ("id", v.VersionId))));
            Assert.Equal("blocked", await StatusOfAsync(v.VersionId));
            Assert.Equal("blocked", await ProjectStatusOfAsync(v.ProjectId));
            Assert.Equal(1, await app.CountAsync(
                "SELECT count(*) FROM tasks WHERE context_type = 'automation_version' AND context_id = @id", ("id", v.VersionId)));
        }
    }

    [Fact]
    public async Task Archiving_cancels_the_open_tasks_of_the_version()
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "live");
        var other = await app.VersionAsync(admin.TenantId, "live");
        var todo = await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "todo");
        var doing = await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "in_progress");
        var stuck = await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "blocked");
        var done = await app.TaskAsync(admin.TenantId, "automation_version", v.VersionId, "done");
        var onProject = await app.TaskAsync(admin.TenantId, "project", v.ProjectId, "todo");
        var elsewhere = await app.TaskAsync(admin.TenantId, "automation_version", other.VersionId, "todo");

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("archived", await ProjectStatusOfAsync(v.ProjectId));
        foreach (var id in new[] { todo, doing, stuck, onProject })
        {
            Assert.Equal("cancelled", await app.ScalarAsync("SELECT status FROM tasks WHERE id = @id", ("id", id)));
        }
        Assert.Equal("done", await app.ScalarAsync("SELECT status FROM tasks WHERE id = @id", ("id", done)));
        Assert.Equal("todo", await app.ScalarAsync("SELECT status FROM tasks WHERE id = @id", ("id", elsewhere)));
    }

    [Fact]
    public async Task Archiving_with_an_inactive_binding_is_allowed()
    {
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "paused");
        await app.ExecuteAsync(
            "INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at) VALUES (@id, @t, @v, @w, 'inactive', now(), now())",
            ("id", Guid.CreateVersion7()), ("t", admin.TenantId), ("v", v.VersionId), ("w", $"wf_{Guid.NewGuid():N}"));

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("archived", await StatusOfAsync(v.VersionId));
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, Json.Options), System.Text.Encoding.UTF8, "application/json");
}
