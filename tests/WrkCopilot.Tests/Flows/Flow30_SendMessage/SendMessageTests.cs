using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow30_SendMessage;

public sealed class SendMessageTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string ProjectMessages(Guid id) => $"/v1/projects/{id}/messages";

    private static string AutomationMessages(Guid id) => $"/v1/automations/{id}/messages";

    private static string[] Texts(JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("text").GetString()!).ToArray();

    private async Task<JsonElement> NotificationsOfAsync(Caller who)
    {
        await app.DeliverOutboxAsync();
        return await (await app.Client(who.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_client_member_sends_a_message_on_a_project_and_staff_are_notified()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var staff = await app.StaffAsync("cs_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);

        var res = await app.Client(member.AccessToken).PostJsonAsync("/v1/messages",
            new { project_id = p.ProjectId, type = "client", text = "When will the build start?", tags = new[] { "timeline", "timeline" } });
        var data = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data");

        Assert.Equal("client", data.GetProperty("type").GetString());
        Assert.Equal("client", data.GetProperty("visibility").GetString());
        Assert.Equal(member.UserId, data.GetProperty("sender_id").GetGuid());
        Assert.Equal(p.ProjectId, data.GetProperty("project_id").GetGuid());
        Assert.Equal(["timeline"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());

        var staffList = await (await app.Client(staff.AccessToken).GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["When will the build start?"], Texts(staffList));

        var staffNotes = (await NotificationsOfAsync(staff)).GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(staffNotes, n => n.GetProperty("event_type").GetString() == "message.created" &&
                                         n.GetProperty("body").GetString() == "When will the build start?");
        // The sender's own side hears nothing of its own message.
        Assert.Empty((await NotificationsOfAsync(member)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Staff_send_an_ops_message_into_the_versions_own_tenant_and_the_client_side_is_notified()
    {
        var admin = await app.WorkspaceAdminAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var staff = await app.StaffAsync("ops_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);

        var res = await app.Client(staff.AccessToken).PostJsonAsync("/v1/messages",
            new { automation_version_id = p.VersionId, type = "ops", text = "Pricing is ready for review." });
        var data = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data");

        var id = data.GetProperty("id").GetGuid();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM messages WHERE id = @id AND tenant_id = @t", ("id", id), ("t", admin.TenantId)));
        // The viewer reads it on the project and on the automation.
        var onProject = await (await app.Client(viewer.AccessToken).GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Pricing is ready for review."], Texts(onProject));
        var onAutomation = await (await app.Client(viewer.AccessToken).GetAsync(AutomationMessages(p.AutomationId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Pricing is ready for review."], Texts(onAutomation));

        foreach (var client in new[] { admin, viewer })
        {
            var notes = (await NotificationsOfAsync(client)).GetProperty("data").EnumerateArray().ToList();
            Assert.Single(notes, n => n.GetProperty("event_type").GetString() == "message.created");
        }
    }

    [Fact]
    public async Task A_client_never_sees_an_internal_note_by_list_search_automation_view_or_notification()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var cs = await app.StaffAsync("cs_admin");
        var ops = await app.StaffAsync("ops_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);
        await app.SetSlackWebhookAsync(admin.TenantId, app.ExternalService("client-slack").Url + "/hook");

        await (await app.Client(cs.AccessToken).PostJsonAsync("/v1/messages",
            new { project_id = p.ProjectId, type = "internal_note", text = "Secret margin: keep the discount under 5%" }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await app.Client(cs.AccessToken).PostJsonAsync("/v1/messages",
            new { project_id = p.ProjectId, type = "ops", text = "Secret sauce arrives Monday" }))
            .ExpectAsync(HttpStatusCode.Created);

        foreach (var client in new[] { admin, member })
        {
            var http = app.Client(client.AccessToken);
            var list = await (await http.GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(["Secret sauce arrives Monday"], Texts(list));
            var search = await (await http.GetAsync(ProjectMessages(p.ProjectId) + "?q=secret")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(["Secret sauce arrives Monday"], Texts(search));
            var margin = await (await http.GetAsync(AutomationMessages(p.AutomationId) + "?q=margin")).ExpectAsync(HttpStatusCode.OK);
            Assert.Empty(Texts(margin));
            var notes = await NotificationsOfAsync(client);
            Assert.DoesNotContain("margin", notes.GetRawText(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("internal", notes.GetRawText(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.DoesNotContain(app.Mail.Sent, m => m.To == admin.Email && m.Body.Contains("margin", StringComparison.Ordinal));
        Assert.DoesNotContain(app.ExternalService("client-slack").LogEntries,
            e => e.RequestMessage.Body?.Contains("margin", StringComparison.Ordinal) == true);

        // Staff see both, and the other staff member is told about the note.
        var staffList = await (await app.Client(ops.AccessToken).GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Secret sauce arrives Monday", "Secret margin: keep the discount under 5%"], Texts(staffList));
        Assert.Equal("staff", staffList.GetProperty("data")[1].GetProperty("visibility").GetString());
        var opsNotes = (await NotificationsOfAsync(ops)).GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(opsNotes, n => n.GetProperty("title").GetString() == "New internal note");
    }

    [Fact]
    public async Task A_null_attachment_is_400_by_path_not_a_500()
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var res = await app.Client(admin.AccessToken).PostAsync("/v1/messages", new StringContent(
            $$"""{"project_id":"{{p.ProjectId}}","type":"client","text":"x","attachments":[null]}""", System.Text.Encoding.UTF8, "application/json"));

        var problem = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.attachments[0]", out _), problem.GetRawText());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_delivered_notification_reaches_its_users_event_stream()
    {
        var admin = await app.WorkspaceAdminAsync();
        var staff = await app.StaffAsync("cs_admin");
        var p = await app.CollabProjectAsync(admin.TenantId);
        await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "ops", text = "Quote ready" }))
            .ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM stream_events WHERE tenant_id = @t AND type = 'notification.created' AND user_id = @u AND visibility = 'client'",
            ("t", admin.TenantId), ("u", admin.UserId)));
    }

    [Fact]
    public async Task Attachments_reference_artifacts_of_the_same_workspace_and_others_are_refused_by_path()
    {
        var admin = await app.WorkspaceAdminAsync();
        var other = await app.WorkspaceAdminAsync("Other");
        var p = await app.CollabProjectAsync(admin.TenantId);
        var q = await app.CollabProjectAsync(other.TenantId);
        var mine = await app.CollabArtifactAsync(admin.TenantId, p.VersionId, "spec.md");
        var theirs = await app.CollabArtifactAsync(other.TenantId, q.VersionId);
        var http = app.Client(admin.AccessToken);

        var refused = await http.PostJsonAsync("/v1/messages", new
        {
            project_id = p.ProjectId, type = "client", text = "See attached",
            attachments = new[] { new { artifact_id = mine }, new { artifact_id = theirs } },
        });
        var problem = await refused.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.attachments[1].artifact_id", out _), problem.GetRawText());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", admin.TenantId)));

        var res = await http.PostJsonAsync("/v1/messages", new
        {
            project_id = p.ProjectId, type = "client", text = "See attached", attachments = new[] { new { artifact_id = mine } },
        });
        var attachment = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("attachments")[0];
        Assert.Equal(mine, attachment.GetProperty("artifact_id").GetGuid());
        Assert.Equal("spec.md", attachment.GetProperty("file_name").GetString());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM messages WHERE tenant_id = @t AND attachments_json @> jsonb_build_array(jsonb_build_object('artifact_id', @a::text))",
            ("t", admin.TenantId), ("a", mine.ToString())));
    }

    [Fact]
    public async Task Automation_messages_cover_every_version_and_project_of_the_automation()
    {
        var admin = await app.WorkspaceAdminAsync();
        var v1 = await app.CollabProjectAsync(admin.TenantId);
        var v2 = await app.CollabRevisionAsync(v1);
        var elsewhere = await app.CollabProjectAsync(admin.TenantId);
        var http = app.Client(admin.AccessToken);
        foreach (var (body, text) in new (object, string)[]
                 {
                     (new { project_id = v1.ProjectId, type = "client", text = "on v1.0" }, "on v1.0"),
                     (new { automation_version_id = v2.VersionId, type = "client", text = "on v1.1" }, "on v1.1"),
                     (new { project_id = elsewhere.ProjectId, type = "client", text = "another automation" }, "another automation"),
                 })
        {
            await (await http.PostJsonAsync("/v1/messages", body)).ExpectAsync(HttpStatusCode.Created);
        }

        var list = await (await http.GetAsync(AutomationMessages(v1.AutomationId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["on v1.1", "on v1.0"], Texts(list));
        var page = await (await http.GetAsync(AutomationMessages(v1.AutomationId) + "?limit=1")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["on v1.1"], Texts(page));
        var next = page.GetProperty("meta").GetProperty("next_cursor").GetString();
        var page2 = await (await http.GetAsync(AutomationMessages(v1.AutomationId) + $"?limit=1&cursor={next}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["on v1.0"], Texts(page2));
    }

    [Fact]
    public async Task A_repeated_idempotency_key_replays_the_message_instead_of_posting_it_twice()
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var http = app.Client(admin.AccessToken);
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { project_id = p.ProjectId, type = "client", text = "Only once" }),
            };
            req.Headers.Add("Idempotency-Key", "msg-1");
            ids.Add((await (await http.SendAsync(req)).ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid());
        }

        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification'", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("client", "ops", "Clients send client messages only.")]
    [InlineData("client", "internal_note", "Clients send client messages only.")]
    [InlineData("staff", "client", "Staff send ops messages or internal notes.")]
    public async Task A_side_sending_the_other_sides_type_is_forbidden(string side, string type, string detail)
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        var caller = side == "client" ? admin : await app.StaffAsync("ops_admin");

        var res = await app.Client(caller.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type, text = "hello" });

        var body = await res.ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_viewer_may_read_but_not_send_and_an_api_key_may_do_neither()
    {
        var admin = await app.WorkspaceAdminAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var p = await app.CollabProjectAsync(admin.TenantId);
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);

        var sent = await app.Client(viewer.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "client", text = "hi" });
        Assert.Equal("forbidden", (await sent.ExpectAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString());
        await (await app.Client(viewer.AccessToken).GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.OK);
        await (await app.Client(key).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "client", text = "hi" }))
            .ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).GetAsync(ProjectMessages(p.ProjectId))).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Another_tenants_project_version_and_automation_are_not_found_and_nothing_leaks()
    {
        var owner = await app.WorkspaceAdminAsync();
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var p = await app.CollabProjectAsync(owner.TenantId);
        await (await app.Client(owner.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "client", text = "private plans" }))
            .ExpectAsync(HttpStatusCode.Created);
        var http = app.Client(stranger.AccessToken);

        foreach (var res in new[]
                 {
                     await http.PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "client", text = "hi" }),
                     await http.PostJsonAsync("/v1/messages", new { automation_version_id = p.VersionId, type = "client", text = "hi" }),
                     await http.GetAsync(ProjectMessages(p.ProjectId)),
                     await http.GetAsync(AutomationMessages(p.AutomationId)),
                 })
        {
            var body = await res.ExpectAsync(HttpStatusCode.NotFound);
            Assert.DoesNotContain("private plans", body.GetRawText(), StringComparison.Ordinal);
        }
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM messages WHERE tenant_id = @t", ("t", owner.TenantId)));
        var staff = await app.StaffAsync("cs_admin");
        await (await app.Client(staff.AccessToken).GetAsync(ProjectMessages(Guid.CreateVersion7()))).ExpectAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"type":"client","text":"x"}""", "$.project_id" },
        { """{"project_id":"{P}","automation_version_id":"{V}","type":"client","text":"x"}""", "$.project_id" },
        { """{"project_id":"{P}","type":"system","text":"x"}""", "$.type" },
        { """{"project_id":"{P}","type":"shout","text":"x"}""", "$.type" },
        { """{"project_id":"{P}","type":"client","text":""}""", "$.text" },
        { """{"project_id":"{P}","type":"client","text":"x","attachments":[{}]}""", "$.attachments[0].artifact_id" },
        { """{"project_id":"{P}","type":"client","text":"x","tags":["a","b","c","d","e","f","g","h","i","j","k"]}""", "$.tags" },
        { """{"project_id":"{P}","type":"client","text":"x","tags":["   "]}""", "$.tags[0]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_400_naming_the_field(string template, string path)
    {
        var admin = await app.WorkspaceAdminAsync();
        var p = await app.CollabProjectAsync(admin.TenantId);
        using var content = new StringContent(template.Replace("{P}", p.ProjectId.ToString()).Replace("{V}", p.VersionId.ToString()),
            System.Text.Encoding.UTF8, "application/json");

        var res = await app.Client(admin.AccessToken).PostAsync("/v1/messages", content);

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.GetRawText());
        var bad = await app.Client(admin.AccessToken).GetAsync(ProjectMessages(p.ProjectId) + "?limit=0");
        Assert.True((await bad.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.limit", out _));
    }
}
