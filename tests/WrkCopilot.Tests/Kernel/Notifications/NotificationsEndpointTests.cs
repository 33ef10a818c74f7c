using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Notifications;

public sealed class NotificationsEndpointTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<Guid> NotificationAsync(Caller to, string title, string channel = "in_app", bool read = false)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO notifications (id, tenant_id, user_id, event_type, channel, title, data_json, read_at, created_at)
            VALUES (@id, @t, @u, 'quote.sent', @c, @title, '{"quote_id":"q"}'::jsonb, CASE WHEN @r THEN now() END, clock_timestamp())
            """, ("id", id), ("t", to.TenantId), ("u", to.UserId), ("c", channel), ("title", title), ("r", read));
        return id;
    }

    private static string[] Titles(System.Text.Json.JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(n => n.GetProperty("title").GetString()!).ToArray();

    [Fact]
    public async Task A_user_lists_their_own_in_app_notifications_newest_first_and_marks_one_read()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var older = await NotificationAsync(admin, "Quote sent");
        await NotificationAsync(admin, "Already read", read: true);
        await NotificationAsync(admin, "Email copy", channel: "email");
        await NotificationAsync(member, "Someone else's");
        var http = app.Client(admin.AccessToken);

        var all = await (await http.GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Already read", "Quote sent"], Titles(all));
        Assert.Equal("q", all.GetProperty("data")[1].GetProperty("data").GetProperty("quote_id").GetString());
        var unread = await (await http.GetAsync("/v1/notifications?unread=true")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Quote sent"], Titles(unread));

        var res = await http.PostAsync($"/v1/notifications/{older}/read", null);
        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Empty(Titles(await (await http.GetAsync("/v1/notifications?unread=true")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/v1/notifications/{older}/read", null)).StatusCode);
    }

    [Fact]
    public async Task Someone_elses_notification_is_not_found_in_the_same_or_another_tenant()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var mine = await NotificationAsync(admin, "Private");

        foreach (var other in new[] { member, stranger })
        {
            var res = await app.Client(other.AccessToken).PostAsync($"/v1/notifications/{mine}/read", null);
            var body = await res.ExpectAsync(HttpStatusCode.NotFound);
            Assert.DoesNotContain("Private", body.GetRawText(), StringComparison.Ordinal);
            Assert.Empty(Titles(await (await app.Client(other.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK)));
        }
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM notifications WHERE id = @id AND read_at IS NOT NULL", ("id", mine)));
    }

    [Fact]
    public async Task An_api_key_has_no_notifications_and_a_bad_limit_is_400()
    {
        var admin = await app.WorkspaceAdminAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);

        await (await app.Client(key).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PostAsync($"/v1/notifications/{Guid.CreateVersion7()}/read", null)).ExpectAsync(HttpStatusCode.Forbidden);
        var bad = await app.Client(admin.AccessToken).GetAsync("/v1/notifications?limit=500");
        Assert.True((await bad.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.limit", out _));
    }
}
