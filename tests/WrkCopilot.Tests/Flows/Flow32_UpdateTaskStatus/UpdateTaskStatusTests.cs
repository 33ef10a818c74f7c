using System.Net;
using System.Net.Http.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow32_UpdateTaskStatus;

public sealed class UpdateTaskStatusTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string Url(Guid id) => $"/v1/tasks/{id}/status";

    private Task<string?> StatusOfAsync(Guid id) => app.ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", ("id", id));

    private async Task<int> ProgressAsync(Guid projectId) =>
        await app.ScalarAsync<int>("SELECT checklist_progress FROM projects WHERE id = @id", ("id", projectId));

    [Fact]
    public async Task The_assignee_moves_a_task_the_row_version_bumps_and_the_change_is_audited()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var p = await app.CollabProjectAsync(admin.TenantId);
        var task = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, assigneeId: member.UserId);

        var res = await app.Client(member.AccessToken).PatchJsonAsync(Url(task), new { status = "in_progress" });
        var data = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("in_progress", data.GetProperty("status").GetString());
        Assert.Equal(2, data.GetProperty("row_version").GetInt64());
        Assert.Equal("in_progress", await StatusOfAsync(task));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'task_status_changed'
              AND resource_type = 'task' AND resource_id = @id AND metadata_json->>'from' = 'todo' AND metadata_json->>'to' = 'in_progress'
            """, ("t", admin.TenantId), ("u", member.UserId), ("id", task)));
    }

    [Fact]
    public async Task Checklist_progress_counts_done_and_cancelled_build_checklist_tasks_of_the_projects_version()
    {
        var admin = await app.WorkspaceAdminAsync();
        var staff = await app.StaffAsync("ops_admin");
        var p = await app.CollabProjectAsync(admin.TenantId, "qa_testing");
        var other = await app.CollabProjectAsync(admin.TenantId, "qa_testing");
        var items = new[]
        {
            await app.CollabTaskAsync(admin.TenantId, "automation_version", p.VersionId, "build_checklist", "staff"),
            await app.CollabTaskAsync(admin.TenantId, "automation_version", p.VersionId, "build_checklist", "staff"),
            await app.CollabTaskAsync(admin.TenantId, "automation_version", p.VersionId, "build_checklist", "staff"),
            await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, "build_checklist", "staff"),
        };
        var unrelated = await app.CollabTaskAsync(admin.TenantId, "automation_version", p.VersionId, "general_todo");
        await app.CollabTaskAsync(admin.TenantId, "automation_version", other.VersionId, "build_checklist", "staff");
        var http = app.Client(staff.AccessToken);

        await (await http.PatchJsonAsync(Url(items[0]), new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(25, await ProgressAsync(p.ProjectId));
        await (await http.PatchJsonAsync(Url(items[3]), new { status = "cancelled" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(50, await ProgressAsync(p.ProjectId));
        await (await http.PatchJsonAsync(Url(unrelated), new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        await (await http.PatchJsonAsync(Url(items[1]), new { status = "in_progress" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(50, await ProgressAsync(p.ProjectId));
        await (await http.PatchJsonAsync(Url(items[1]), new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(75, await ProgressAsync(p.ProjectId));
        await (await http.PatchJsonAsync(Url(items[2]), new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(100, await ProgressAsync(p.ProjectId));
        await (await http.PatchJsonAsync(Url(items[0]), new { status = "todo" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(75, await ProgressAsync(p.ProjectId));
        Assert.Equal(0, await ProgressAsync(other.ProjectId));
        // Staff acted in the client's tenant: the audit rows are there, with the staff user as actor.
        Assert.Equal(7, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'task_status_changed'",
            ("t", admin.TenantId), ("u", staff.UserId)));
    }

    [Fact]
    public async Task A_client_admin_may_move_a_client_visible_task_but_a_member_who_is_not_the_assignee_and_a_viewer_may_not()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var p = await app.CollabProjectAsync(admin.TenantId);
        var task = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, assigneeId: viewer.UserId);

        var byMember = await app.Client(member.AccessToken).PatchJsonAsync(Url(task), new { status = "done" });
        Assert.Equal("forbidden", (await byMember.ExpectAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString());
        await (await app.Client(viewer.AccessToken).PatchJsonAsync(Url(task), new { status = "done" })).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("todo", await StatusOfAsync(task));

        await (await app.Client(admin.AccessToken).PatchJsonAsync(Url(task), new { status = "blocked" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("blocked", await StatusOfAsync(task));
    }

    [Fact]
    public async Task A_staff_only_task_does_not_exist_for_a_client_even_its_admin_and_another_tenants_task_is_not_found()
    {
        var admin = await app.WorkspaceAdminAsync();
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var p = await app.CollabProjectAsync(admin.TenantId);
        var staffTask = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, "pricing", "staff", assigneeId: admin.UserId,
            title: "Margin review");
        var visible = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, title: "Upload samples");

        var hidden = await (await app.Client(admin.AccessToken).PatchJsonAsync(Url(staffTask), new { status = "done" })).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain("Margin", hidden.GetRawText(), StringComparison.Ordinal);
        var foreign = await (await app.Client(stranger.AccessToken).PatchJsonAsync(Url(visible), new { status = "done" })).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain("Upload samples", foreign.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("todo", await StatusOfAsync(staffTask));
        Assert.Equal("todo", await StatusOfAsync(visible));

        var staff = await app.StaffAsync("cs_admin");
        await (await app.Client(staff.AccessToken).PatchJsonAsync(Url(staffTask), new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        await (await app.Client(staff.AccessToken).PatchJsonAsync(Url(Guid.CreateVersion7()), new { status = "done" })).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task If_match_guards_against_a_stale_read()
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var task = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId);
        var http = app.Client(admin.AccessToken);

        using var first = new HttpRequestMessage(HttpMethod.Patch, Url(task)) { Content = JsonContent.Create(new { status = "in_progress" }) };
        first.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await (await http.SendAsync(first)).ExpectAsync(HttpStatusCode.OK);

        using var stale = new HttpRequestMessage(HttpMethod.Patch, Url(task)) { Content = JsonContent.Create(new { status = "done" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var body = await (await http.SendAsync(stale)).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("precondition_failed", body.GetProperty("code").GetString());
        Assert.Equal("in_progress", await StatusOfAsync(task));
    }

    [Theory]
    [InlineData("""{"status":"finished"}""")]
    [InlineData("""{"status":""}""")]
    [InlineData("""{}""")]
    public async Task An_unknown_status_is_400_naming_the_field(string json)
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var task = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId);
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        var res = await app.Client(admin.AccessToken).PatchAsync(Url(task), content);

        Assert.True((await res.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.status", out _));
        Assert.Equal("todo", await StatusOfAsync(task));
    }
}
