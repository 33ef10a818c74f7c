using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Events;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Events;

/// <summary>The event stream (Flow 33's live updates), on a direct connection.</summary>
public sealed class EventStreamTests(WrkApp app) : EventStreamContract(app), IClassFixture<WrkApp>;

/// <summary>The event stream's tests against any app: direct here, through PgBouncer in <c>Topology/</c>.</summary>
public abstract class EventStreamContract(WrkApp app)
{
    /// <summary>Writes through the app's DbContext (what a flow does), so the interceptor sees the change.</summary>
    private async Task<Guid> MessageAsync(Guid tenant, Guid projectId, string text, string type = "client", string visibility = "client")
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.InTenantAsync(tenant, async () =>
        {
            var message = new Message
            {
                Id = Guid.CreateVersion7(), TenantId = tenant, ProjectId = projectId, Type = type, Visibility = visibility, Text = text,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Messages.Add(message);
            await db.SaveChangesAsync();
            return message.Id;
        }, CancellationToken.None);
    }

    private static string TextOf(SseEvent e) => e.Data.GetProperty("text").GetString()!;

    [Fact]
    public async Task Two_workspaces_each_receive_only_their_own_events()
    {
        var a = await app.WorkspaceAdminAsync("A");
        var b = await app.WorkspaceAdminAsync("B");
        var pa = await app.OpsProjectAsync(a.TenantId);
        var pb = await app.OpsProjectAsync(b.TenantId);
        await using var streamA = await app.OpenStreamAsync(a.AccessToken);
        await using var streamB = await app.OpenStreamAsync(b.AccessToken);

        await MessageAsync(a.TenantId, pa.ProjectId, "for A 1");
        await MessageAsync(b.TenantId, pb.ProjectId, "for B 1");
        await MessageAsync(a.TenantId, pa.ProjectId, "for A 2");
        await MessageAsync(b.TenantId, pb.ProjectId, "for B 2");

        var a1 = await streamA.NextAsync();
        var a2 = await streamA.NextAsync();
        Assert.Equal(("message.created", "for A 1"), (a1.Type, TextOf(a1)));
        Assert.Equal("for A 2", TextOf(a2));
        Assert.True(a2.Id > a1.Id);
        Assert.Equal(["for B 1", "for B 2"], [TextOf(await streamB.NextAsync()), TextOf(await streamB.NextAsync())]);
    }

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_resumes_after_that_event()
    {
        var admin = await app.WorkspaceAdminAsync();
        var project = await app.OpsProjectAsync(admin.TenantId);
        long firstId;
        await using (var stream = await app.OpenStreamAsync(admin.AccessToken))
        {
            await MessageAsync(admin.TenantId, project.ProjectId, "one");
            await MessageAsync(admin.TenantId, project.ProjectId, "two");
            firstId = (await stream.NextAsync()).Id;
            Assert.Equal("two", TextOf(await stream.NextAsync()));
        }
        await MessageAsync(admin.TenantId, project.ProjectId, "three (while away)");

        await using var resumed = await app.OpenStreamAsync(admin.AccessToken, lastEventId: firstId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("two", TextOf(await resumed.NextAsync()));
        Assert.Equal("three (while away)", TextOf(await resumed.NextAsync()));
    }

    [Fact]
    public async Task A_client_never_receives_an_internal_note_or_a_staff_only_task_live_or_on_resume()
    {
        var admin = await app.WorkspaceAdminAsync();
        var project = await app.OpsProjectAsync(admin.TenantId);
        await using var live = await app.OpenStreamAsync(admin.AccessToken);

        await MessageAsync(admin.TenantId, project.ProjectId, "secret note", type: "internal_note", visibility: "staff");
        // Visibility is taken from the type too: a note mislabelled "client" is still staff-only.
        await MessageAsync(admin.TenantId, project.ProjectId, "secret note 2", type: "internal_note", visibility: "client");
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.InTenantAsync(admin.TenantId, async () =>
            {
                db.Tasks.Add(new TaskItem
                {
                    Id = Guid.CreateVersion7(), TenantId = admin.TenantId, ContextType = "project", ContextId = project.ProjectId,
                    Kind = "pricing", Title = "secret pricing task", Visibility = Visibility.Staff, CreatedAt = DateTimeOffset.UtcNow,
                    UpdatedAt = DateTimeOffset.UtcNow,
                });
                return await db.SaveChangesAsync();
            }, CancellationToken.None);
        }
        await MessageAsync(admin.TenantId, project.ProjectId, "hello client");

        Assert.Equal("hello client", TextOf(await live.NextAsync()));
        await using var fromStart = await app.OpenStreamAsync(admin.AccessToken, lastEventId: "0");
        Assert.Equal("hello client", TextOf(await fromStart.NextAsync()));
        // The staff events exist: the stream filtered them, they were not simply missing.
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM stream_events WHERE tenant_id = @t AND visibility = 'staff'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_notification_reaches_only_its_user()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var project = await app.OpsProjectAsync(admin.TenantId);
        await using var adminStream = await app.OpenStreamAsync(admin.AccessToken);
        await using var memberStream = await app.OpenStreamAsync(member.AccessToken);

        // Saved outside an explicit transaction: the wake-up must still follow the commit.
        await using (var scope = app.Scope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Set(admin.TenantId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.Notifications.Add(new Notification
            {
                Id = Guid.CreateVersion7(), TenantId = admin.TenantId, UserId = member.UserId, EventType = "quote_sent",
                Title = "Your quote is ready", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await MessageAsync(admin.TenantId, project.ProjectId, "after the notification");

        var first = await memberStream.NextAsync();
        Assert.Equal("notification.created", first.Type);
        Assert.Equal("Your quote is ready", first.Data.GetProperty("title").GetString());
        Assert.Equal("after the notification", TextOf(await memberStream.NextAsync()));
        Assert.Equal("after the notification", TextOf(await adminStream.NextAsync()));
    }

    [Fact]
    public async Task Status_changes_and_task_updates_made_by_a_flow_are_pushed()
    {
        var admin = await app.WorkspaceAdminAsync();
        var project = await app.OpsProjectAsync(admin.TenantId, status: "needs_pricing");
        var task = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, context_type, context_id, kind, title, status, visibility, priority, row_version, created_at, updated_at)
            VALUES (@id, @t, 'automation_version', @v, 'general_todo', 'Open task', 'todo', 'client', 'medium', 1, now(), now())
            """, ("id", task), ("t", admin.TenantId), ("v", project.VersionId));
        await using var stream = await app.OpenStreamAsync(admin.AccessToken);

        var res = await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/automation-versions/{project.VersionId}/status", new { status = "archived" });
        await res.ExpectAsync(HttpStatusCode.OK);

        var events = new[] { await stream.NextAsync(), await stream.NextAsync() }.ToDictionary(e => e.Type);
        var status = events["version.status_changed"].Data;
        Assert.Equal(project.VersionId, status.GetProperty("id").GetGuid());
        Assert.Equal("needs_pricing", status.GetProperty("from").GetString());
        Assert.Equal("archived", status.GetProperty("to").GetString());
        Assert.Equal(task, events["task.updated"].Data.GetProperty("id").GetGuid());
        Assert.Equal("cancelled", events["task.updated"].Data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_keys_anonymous_callers_and_a_bad_Last_Event_ID_are_refused()
    {
        var admin = await app.WorkspaceAdminAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);

        var byKey = await app.Client(key).GetAsync("/v1/events/stream");
        var anonymous = await app.Client().GetAsync("/v1/events/stream");
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream");
        bad.Headers.Add("Last-Event-ID", "abc");
        var badId = await app.Client(admin.AccessToken).SendAsync(bad);

        await byKey.ExpectAsync(HttpStatusCode.Forbidden);
        await anonymous.ExpectAsync(HttpStatusCode.Unauthorized);
        var problem = await badId.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Last-Event-ID", out _), problem.ToString());
    }

    [Fact]
    public async Task The_clean_up_deletes_only_events_past_their_retention()
    {
        var tenant = await app.InsertTenantAsync();
        await app.ExecuteAsync("""
            INSERT INTO stream_events (tenant_id, type, visibility, data, created_at)
            VALUES (@t, 'message.created', 'client', '{"age":"old"}', now() - interval '30 days'),
                   (@t, 'message.created', 'client', '{"age":"new"}', now() - interval '1 hour')
            """, ("t", tenant));

        var deleted = await app.Services.GetRequiredService<StreamEventCleanup>().RunAsync(CancellationToken.None);

        Assert.True(deleted >= 1);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM stream_events WHERE tenant_id = @t AND data->>'age' = 'old'", ("t", tenant)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM stream_events WHERE tenant_id = @t AND data->>'age' = 'new'", ("t", tenant)));
    }
}
