using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow06_ManageMembers;

public sealed class ManageMembersTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<(HttpResponseMessage Res, JsonElement Body)> PutRolesAsync(Caller caller, Guid tenantId, Guid userId, params string[] roles)
    {
        using var client = app.Client(caller.AccessToken);
        var res = await client.PutJsonAsync($"/v1/tenants/{tenantId}/users/{userId}/roles", new { roles });
        return (res, await res.ReadAsync());
    }

    private Task<long> AdminCountAsync(Guid tenantId) =>
        app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND 'admin' = ANY(roles)", ("t", tenantId));

    [Fact]
    public async Task Admin_lists_members_with_roles_and_pages_with_a_cursor()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var outsider = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);

        var page1 = await client.GetAsync($"/v1/tenants/{admin.TenantId}/users?limit=2");
        Assert.Equal(HttpStatusCode.OK, page1.StatusCode);
        var body1 = await page1.ReadAsync();
        var cursor = body1.GetProperty("meta").GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var body2 = await (await client.GetAsync($"/v1/tenants/{admin.TenantId}/users?limit=2&cursor={cursor}")).ReadAsync();

        var all = body1.GetProperty("data").EnumerateArray().Concat(body2.GetProperty("data").EnumerateArray()).ToList();
        Assert.Equal(new[] { viewer.UserId, member.UserId, admin.UserId }, all.Select(m => m.GetProperty("id").GetGuid()));
        var first = all[0];
        Assert.Equal(viewer.Email, first.GetProperty("email").GetString());
        Assert.Equal("viewer", Assert.Single(first.GetProperty("roles").EnumerateArray()).GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("name").GetString()));
        Assert.NotEqual(default, first.GetProperty("joined_at").GetDateTimeOffset());
        Assert.DoesNotContain(outsider.Email, body1.ToString() + body2);
    }

    [Fact]
    public async Task Admin_changes_roles_the_change_takes_effect_at_once_and_is_audited()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        using var viewerClient = app.Client(viewer.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);

        var (res, body) = await PutRolesAsync(admin, admin.TenantId, viewer.UserId, "admin", "member");

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var data = body.GetProperty("data");
        Assert.Equal(viewer.UserId, data.GetProperty("id").GetGuid());
        Assert.Equal(viewer.Email, data.GetProperty("email").GetString());
        Assert.Equal(["admin", "member"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'member_roles_changed' AND resource_id = @u " +
            "AND metadata_json->'from' = '[\"viewer\"]'::jsonb AND metadata_json->'to' = '[\"admin\",\"member\"]'::jsonb",
            ("t", admin.TenantId), ("u", viewer.UserId)));
        // Same token, new power: the role cache was dropped.
        Assert.Equal(HttpStatusCode.OK, (await viewerClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);

        // And demoted again, the power is gone at once.
        var (demote, _) = await PutRolesAsync(admin, admin.TenantId, viewer.UserId, "viewer");
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);
    }

    [Theory]
    [InlineData("ops_admin")]
    [InlineData("owner")]
    [InlineData("")]
    public async Task Roles_not_valid_for_a_client_workspace_are_400(string role)
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);

        var (res, body) = await PutRolesAsync(admin, admin.TenantId, member.UserId, role);

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.roles", out _), body.ToString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE user_id = @u AND roles = ARRAY['member']", ("u", member.UserId)));
    }

    [Fact]
    public async Task Empty_roles_are_400()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);

        var (res, body) = await PutRolesAsync(admin, admin.TenantId, member.UserId);

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.roles", out _), body.ToString());
    }

    [Fact]
    public async Task Operator_admin_manages_staff_roles_and_cannot_grant_client_roles()
    {
        var staff = await app.OperatorAdminAsync();
        var ops = await app.AddMemberAsync(staff.TenantId, ["ops_admin"]);

        var (ok, _) = await PutRolesAsync(staff, staff.TenantId, ops.UserId, "cs_admin");
        var (bad, badBody) = await PutRolesAsync(staff, staff.TenantId, ops.UserId, "member");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True(badBody.GetProperty("errors").TryGetProperty("$.roles", out _));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE user_id = @u AND roles = ARRAY['cs_admin']", ("u", ops.UserId)));
    }

    [Theory]
    [InlineData("remove")]
    [InlineData("demote")]
    public async Task An_admin_who_loses_power_takes_their_open_invitations_with_them(string how)
    {
        var owner = await app.SignUpAsync();
        var other = await app.AddMemberAsync(owner.TenantId, ["admin"]);
        using var asOther = app.Client(other.AccessToken);
        var invited = await asOther.PostJsonAsync($"/v1/tenants/{owner.TenantId}/invitations", new { email = Identities.NewEmail(), roles = new[] { "admin" } });
        var token = (await invited.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("token").GetString()!;

        using var asOwner = app.Client(owner.AccessToken);
        var res = how == "remove"
            ? await asOwner.DeleteAsync($"/v1/tenants/{owner.TenantId}/users/{other.UserId}")
            : (await PutRolesAsync(owner, owner.TenantId, other.UserId, "member")).Res;
        Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());

        using var anonymous = app.Client();
        var accept = await anonymous.PostJsonAsync("/v1/invitations/accept", new { token, name = "Late", password = Identities.Password });
        Assert.Equal(HttpStatusCode.Gone, accept.StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM invitations WHERE invited_by_id = @u AND revoked_at IS NULL", ("u", other.UserId)));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted_or_removed()
    {
        var admin = await app.SignUpAsync();
        await app.AddMemberAsync(admin.TenantId, ["member"]);

        var (demote, demoteBody) = await PutRolesAsync(admin, admin.TenantId, admin.UserId, "member");
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Equal("last_admin", demoteBody.GetProperty("code").GetString());

        using var client = app.Client(admin.AccessToken);
        var remove = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{admin.UserId}");
        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
        Assert.Equal("last_admin", (await remove.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(1, await AdminCountAsync(admin.TenantId));

        // Keeping admin among other roles is not a demotion.
        var (keep, _) = await PutRolesAsync(admin, admin.TenantId, admin.UserId, "admin", "member");
        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_demotions_of_the_last_two_admins_leave_one_admin()
    {
        for (var round = 0; round < 3; round++)
        {
            var a = await app.SignUpAsync();
            var b = await app.AddMemberAsync(a.TenantId, ["admin"]);

            // Each admin demotes the other at the same time.
            var results = await Task.WhenAll(
                PutRolesAsync(a, a.TenantId, b.UserId, "member"),
                PutRolesAsync(b, a.TenantId, a.UserId, "member"));

            Assert.Single(results, r => r.Res.StatusCode == HttpStatusCode.OK);
            // The loser is refused: last_admin, or 403 if its caller was already demoted when it arrived.
            Assert.Single(results, r => r.Res.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Forbidden);
            Assert.Equal(1, await AdminCountAsync(a.TenantId));
        }
    }

    [Fact]
    public async Task Removing_a_member_revokes_their_sessions_here_and_their_token_stops_working()
    {
        var admin = await app.SignUpAsync();
        var user = await app.SignUpAsync(workspace: "Their own");
        await app.AddMembershipAsync(admin.TenantId, user.UserId, ["admin"]);
        var here = await app.TokenForAsync(user.UserId, admin.TenantId);
        var hereAgain = await app.TokenForAsync(user.UserId, admin.TenantId);
        using var memberClient = app.Client(here.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await memberClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);

        using var client = app.Client(admin.AccessToken);
        var res = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{user.UserId}");

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u", ("t", admin.TenantId), ("u", user.UserId)));
        Assert.Equal(2, await app.CountAsync(
            "SELECT count(*) FROM sessions WHERE tenant_id = @t AND user_id = @u AND revoked_at IS NOT NULL AND revoked_reason = 'membership_removed'",
            ("t", admin.TenantId), ("u", user.UserId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'member_removed' AND resource_id = @u",
            ("t", admin.TenantId), ("u", user.UserId)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await memberClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);
        using var other = app.Client(hereAgain.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync($"/v1/tenants/{admin.TenantId}/invitations")).StatusCode);

        // Their own workspace is untouched: that session still works.
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @t AND revoked_at IS NOT NULL", ("t", user.TenantId)));
        using var own = app.Client(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/v1/tenants/{user.TenantId}/users")).StatusCode);
    }

    [Fact]
    public async Task Unknown_users_and_users_of_other_workspaces_are_404()
    {
        var admin = await app.SignUpAsync();
        var stranger = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);

        var (put, _) = await PutRolesAsync(admin, admin.TenantId, stranger.UserId, "viewer");
        var (putUnknown, _) = await PutRolesAsync(admin, admin.TenantId, Guid.CreateVersion7(), "viewer");
        var delete = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{stranger.UserId}");

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, putUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE user_id = @u AND roles = ARRAY['admin']", ("u", stranger.UserId)));
    }

    [Fact]
    public async Task Another_tenants_admin_gets_404_and_learns_nothing()
    {
        var victim = await app.SignUpAsync();
        var victimMember = await app.AddMemberAsync(victim.TenantId, ["member"]);
        var attacker = await app.SignUpAsync();
        using var client = app.Client(attacker.AccessToken);

        var responses = new[]
        {
            await client.GetAsync($"/v1/tenants/{victim.TenantId}/users"),
            (await PutRolesAsync(attacker, victim.TenantId, victimMember.UserId, "admin")).Res,
            await client.DeleteAsync($"/v1/tenants/{victim.TenantId}/users/{victimMember.UserId}"),
            // Own tenant in the path, other tenant's user id.
            (await PutRolesAsync(attacker, attacker.TenantId, victimMember.UserId, "admin")).Res,
            await client.DeleteAsync($"/v1/tenants/{attacker.TenantId}/users/{victimMember.UserId}"),
        };
        foreach (var res in responses)
        {
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            var text = await res.Content.ReadAsStringAsync();
            Assert.DoesNotContain(victimMember.Email, text);
            Assert.DoesNotContain(victimMember.UserId.ToString(), text);
            Assert.DoesNotContain(victim.TenantId.ToString(), text);
        }
        var own = await (await client.GetAsync($"/v1/tenants/{attacker.TenantId}/users")).ReadAsync();
        Assert.Equal(attacker.UserId, Assert.Single(own.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE user_id = @u AND roles = ARRAY['member']", ("u", victimMember.UserId)));
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Members_and_viewers_are_403(string role)
    {
        var admin = await app.SignUpAsync();
        var weak = await app.AddMemberAsync(admin.TenantId, [role]);
        using var client = app.Client(weak.AccessToken);

        var list = await client.GetAsync($"/v1/tenants/{admin.TenantId}/users");
        var (put, _) = await PutRolesAsync(weak, admin.TenantId, weak.UserId, "admin");
        var delete = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{admin.UserId}");

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(1, await AdminCountAsync(admin.TenantId));
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t", ("t", admin.TenantId)));
    }
}
