using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow31_CreateTask;

public sealed class CreateTaskTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static Guid[] Ids(JsonElement body) => body.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToArray();

    private static object Task(string contextType, Guid contextId, Guid? assignee = null, string visibility = "client",
        string kind = "general_todo", string title = "Collect the API credentials") =>
        new { context_type = contextType, context_id = contextId, kind, title, assignee_id = assignee, due_date = "2026-12-24", priority = "high", visibility };

    [Fact]
    public async Task Staff_create_a_task_in_the_projects_tenant_the_assignee_sees_it_and_is_notified()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var staff = await app.StaffAsync("ops_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);

        var res = await app.Client(staff.AccessToken).PostJsonAsync("/v1/tasks", Task("project", p.ProjectId, member.UserId));
        var data = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data");

        var id = data.GetProperty("id").GetGuid();
        Assert.Equal(admin.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal("todo", data.GetProperty("status").GetString());
        Assert.Equal("2026-12-24", data.GetProperty("due_date").GetString());
        Assert.Equal(1, data.GetProperty("row_version").GetInt64());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'task_created' AND resource_id = @id AND metadata_json->>'kind' = 'general_todo'",
            ("t", admin.TenantId), ("u", staff.UserId), ("id", id)));

        var list = await (await app.Client(member.AccessToken).GetAsync($"/v1/tasks?assignee_id={member.UserId}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([id], Ids(list));
        await app.DeliverOutboxAsync();
        var notes = await (await app.Client(member.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Task assigned to you: Collect the API credentials", notes.GetProperty("data")[0].GetProperty("title").GetString());
        Assert.Contains(app.Mail.Sent, m => m.To == member.Email && m.Subject == "Task assigned to you: Collect the API credentials");
    }

    [Fact]
    public async Task A_staff_only_task_on_a_version_or_client_never_reaches_a_client_and_staff_list_it_across_tenants()
    {
        var a = await app.WorkspaceAdminAsync("A");
        var b = await app.WorkspaceAdminAsync("B");
        var staff = await app.StaffAsync("cs_admin");
        var assignee = await app.StaffAsync("ops_admin");
        var pa = await app.CollabProjectAsync(a.TenantId);
        var clientB = await app.CollabClientAsync(b.TenantId);
        var http = app.Client(staff.AccessToken);

        var onVersion = (await (await http.PostJsonAsync("/v1/tasks", Task("automation_version", pa.VersionId, assignee.UserId, "staff", "pricing")))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        var visible = (await (await http.PostJsonAsync("/v1/tasks", Task("project", pa.ProjectId)))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        var onClient = (await (await http.PostJsonAsync("/v1/tasks", Task("client", clientB, visibility: "staff", kind: "client_retention")))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal(b.TenantId, await app.ScalarAsync<Guid>("SELECT tenant_id FROM tasks WHERE id = @id", ("id", onClient)));

        var clientList = await (await app.Client(a.AccessToken).GetAsync("/v1/tasks")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([visible], Ids(clientList));
        var byKind = await (await app.Client(a.AccessToken).GetAsync("/v1/tasks?kind=pricing")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(Ids(byKind));
        Assert.Empty(Ids(await (await app.Client(b.AccessToken).GetAsync("/v1/tasks")).ExpectAsync(HttpStatusCode.OK)));

        var across = await (await http.GetAsync("/v1/admin/tasks")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([onClient, visible, onVersion], Ids(across).Where(new[] { onClient, visible, onVersion }.Contains).ToArray());
        var onlyA = await (await http.GetAsync($"/v1/admin/tasks?tenant_id={a.TenantId}&visibility=staff")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([onVersion], Ids(onlyA));
        var byContext = await (await http.GetAsync($"/v1/admin/tasks?context_type=client&context_id={clientB}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([onClient], Ids(byContext));

        // The staff assignee hears of it in the operator tenant; the client's admins hear nothing.
        await app.DeliverOutboxAsync();
        var staffNotes = await (await app.Client(assignee.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(staffNotes.GetProperty("data").EnumerateArray());
        Assert.Empty((await (await app.Client(a.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Tasks_list_filters_by_status_and_context_and_pages_by_cursor()
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var q = await app.CollabProjectAsync(admin.TenantId);
        var t1 = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, assigneeId: admin.UserId);
        var t2 = await app.CollabTaskAsync(admin.TenantId, "project", p.ProjectId, status: "done");
        var t3 = await app.CollabTaskAsync(admin.TenantId, "project", q.ProjectId);
        var http = app.Client(admin.AccessToken);

        Assert.Equal([t2], Ids(await (await http.GetAsync("/v1/tasks?status=done")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal([t1], Ids(await (await http.GetAsync($"/v1/tasks?assignee_id={admin.UserId}")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal([t2, t1], Ids(await (await http.GetAsync($"/v1/tasks?context_type=project&context_id={p.ProjectId}")).ExpectAsync(HttpStatusCode.OK)));
        var first = await (await http.GetAsync("/v1/tasks?limit=2")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([t3, t2], Ids(first));
        var cursor = first.GetProperty("meta").GetProperty("next_cursor").GetString();
        Assert.Equal([t1], Ids(await (await http.GetAsync($"/v1/tasks?limit=2&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task The_assignee_must_belong_to_the_contexts_tenant_or_be_staff_and_a_staff_task_never_goes_to_a_client()
    {
        var admin = await app.WorkspaceAdminAsync();
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var staff = await app.StaffAsync("ops_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);
        var http = app.Client(staff.AccessToken);

        await (await http.PostJsonAsync("/v1/tasks", Task("project", p.ProjectId, stranger.UserId))).ExpectAsync(HttpStatusCode.NotFound);
        var staffOnly = await (await http.PostJsonAsync("/v1/tasks", Task("project", p.ProjectId, admin.UserId, "staff"))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(staffOnly.GetProperty("errors").TryGetProperty("$.assignee_id", out _));
        await (await http.PostJsonAsync("/v1/tasks", Task("project", p.ProjectId, staff.UserId, "staff"))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task An_unknown_context_is_not_found_and_clients_may_neither_create_nor_list_across_tenants()
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var staff = await app.StaffAsync("cs_admin");

        await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/tasks", Task("project", Guid.CreateVersion7()))).ExpectAsync(HttpStatusCode.NotFound);
        await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/tasks", Task("client", p.ProjectId))).ExpectAsync(HttpStatusCode.NotFound);
        var forbidden = await app.Client(admin.AccessToken).PostJsonAsync("/v1/tasks", Task("project", p.ProjectId));
        Assert.Equal("forbidden", (await forbidden.ExpectAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString());
        await (await app.Client(admin.AccessToken).GetAsync("/v1/admin/tasks")).ExpectAsync(HttpStatusCode.Forbidden);
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        await (await app.Client(key).GetAsync("/v1/tasks")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PostJsonAsync("/v1/tasks", Task("project", p.ProjectId))).ExpectAsync(HttpStatusCode.Forbidden);
        var badAdminFilter = await app.Client(staff.AccessToken).GetAsync("/v1/admin/tasks?visibility=public");
        Assert.True((await badAdminFilter.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.visibility", out _));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("kind", "nope", "$.kind")]
    [InlineData("context_type", "internal", "$.context_type")]
    [InlineData("priority", "whenever", "$.priority")]
    [InlineData("visibility", "public", "$.visibility")]
    [InlineData("title", " ", "$.title")]
    public async Task Bad_input_is_400_naming_the_field(string field, string value, string path)
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var staff = await app.StaffAsync("ops_admin");
        var body = JsonSerializer.SerializeToNode(Task("project", p.ProjectId), Json.Options)!.AsObject();
        body[field] = value;

        var res = await app.Client(staff.AccessToken).PostJsonAsync("/v1/tasks", body);

        Assert.True((await res.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty(path, out _));
        var missing = await app.Client(staff.AccessToken).PostJsonAsync("/v1/tasks", new { context_type = "project", kind = "pricing", title = "t", priority = "low", visibility = "staff" });
        Assert.True((await missing.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.context_id", out _));
        var badFilter = await app.Client(admin.AccessToken).GetAsync("/v1/tasks?status=later");
        Assert.True((await badFilter.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.status", out _));
    }
}
