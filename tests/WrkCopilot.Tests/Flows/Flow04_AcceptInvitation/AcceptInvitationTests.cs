using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow04_AcceptInvitation;

public sealed class AcceptInvitationTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<(Guid Id, string Token)> InviteAsync(Caller admin, string email, params string[] roles)
    {
        using var client = app.Client(admin.AccessToken);
        var res = await client.PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations", new { email, roles });
        var body = await res.ReadAsync();
        Assert.True(res.StatusCode == HttpStatusCode.Created, body.ToString());
        var data = body.GetProperty("data");
        return (data.GetProperty("id").GetGuid(), data.GetProperty("token").GetString()!);
    }

    private async Task<(HttpResponseMessage Res, JsonElement Body)> AcceptAsync(object body, string? bearer = null)
    {
        using var client = app.Client(bearer);
        var res = await client.PostJsonAsync("/v1/invitations/accept", body);
        return (res, await res.ReadAsync());
    }

    [Fact]
    public async Task A_new_email_gets_an_account_a_membership_and_tokens_for_the_invited_workspace()
    {
        var admin = await app.SignUpAsync();
        var email = Identities.NewEmail("newbie");
        var (invitationId, token) = await InviteAsync(admin, email, "admin");

        var (res, body) = await AcceptAsync(new { token, name = "Newbie", password = Identities.Password });

        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var data = body.GetProperty("data");
        Assert.Equal(admin.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal("admin", Assert.Single(data.GetProperty("roles").EnumerateArray()).GetString());
        Assert.Equal("Bearer", data.GetProperty("token_type").GetString());
        var userId = data.GetProperty("user_id").GetGuid();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM users WHERE id = @u AND email = @e AND name = 'Newbie'", ("u", userId), ("e", email)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u AND roles = ARRAY['admin']", ("t", admin.TenantId), ("u", userId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations WHERE id = @i AND accepted_at IS NOT NULL AND accepted_user_id = @u", ("i", invitationId), ("u", userId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'invitation_accepted' AND resource_id = @i", ("t", admin.TenantId), ("i", invitationId)));

        // The new access token works in the invited workspace with the invited role.
        using var newbie = app.Client(data.GetProperty("access_token").GetString());
        var list = await newbie.GetAsync($"/v1/tenants/{admin.TenantId}/invitations");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task A_new_account_needs_name_and_a_strong_password()
    {
        var admin = await app.SignUpAsync();
        var (_, token) = await InviteAsync(admin, Identities.NewEmail(), "member");

        var (missing, missingBody) = await AcceptAsync(new { token });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True(missingBody.GetProperty("errors").TryGetProperty("$.name", out _), missingBody.ToString());
        Assert.True(missingBody.GetProperty("errors").TryGetProperty("$.password", out _), missingBody.ToString());

        var (weak, weakBody) = await AcceptAsync(new { token, name = "N", password = "password1234" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.True(weakBody.GetProperty("errors").TryGetProperty("$.password", out _), weakBody.ToString());

        var (noToken, noTokenBody) = await AcceptAsync(new { token = "", name = "N", password = Identities.Password });
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.True(noTokenBody.GetProperty("errors").TryGetProperty("$.token", out _), noTokenBody.ToString());

        // Refusals consumed nothing: the token still works.
        var (ok, _) = await AcceptAsync(new { token, name = "N", password = Identities.Password });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task Unknown_used_revoked_and_expired_tokens_all_answer_410_invitation_invalid()
    {
        var admin = await app.SignUpAsync();
        var (_, used) = await InviteAsync(admin, Identities.NewEmail(), "member");
        Assert.Equal(HttpStatusCode.Created, (await AcceptAsync(new { token = used, name = "N", password = Identities.Password })).Res.StatusCode);
        var (revokedId, revoked) = await InviteAsync(admin, Identities.NewEmail(), "member");
        using (var client = app.Client(admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/invitations/{revokedId}")).StatusCode);
        }
        var expiredEmail = Identities.NewEmail();
        var (expiredId, expired) = await InviteAsync(admin, expiredEmail, "member");
        await app.CountAsync("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = @id", ("id", expiredId));

        foreach (var token in new[] { "no-such-token", used, revoked, expired })
        {
            var (res, body) = await AcceptAsync(new { token, name = "N", password = Identities.Password });
            Assert.Equal(HttpStatusCode.Gone, res.StatusCode);
            Assert.Equal("invitation_invalid", body.GetProperty("code").GetString());
        }
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM users WHERE email_normalized = @e", ("e", expiredEmail)));
    }

    [Fact]
    public async Task Two_simultaneous_redemptions_of_one_token_create_one_account()
    {
        var admin = await app.SignUpAsync();
        var email = Identities.NewEmail();
        var (_, token) = await InviteAsync(admin, email, "member");

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => AcceptAsync(new { token, name = "N", password = Identities.Password })));

        Assert.Single(results, r => r.Res.StatusCode == HttpStatusCode.Created);
        Assert.Single(results, r => r.Res.StatusCode is HttpStatusCode.Gone or HttpStatusCode.Conflict);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM users WHERE email_normalized = @e", ("e", email)));
    }

    [Fact]
    public async Task An_existing_account_must_be_logged_in_as_itself()
    {
        var admin = await app.SignUpAsync();
        var invitee = await app.SignUpAsync(workspace: "Invitee's own");
        var other = await app.SignUpAsync(workspace: "Someone else");
        var (invitationId, token) = await InviteAsync(admin, invitee.Email, "viewer");

        var (anon, anonBody) = await AcceptAsync(new { token });
        Assert.Equal(HttpStatusCode.Unauthorized, anon.StatusCode);
        Assert.Equal("login_required", anonBody.GetProperty("code").GetString());

        var (wrong, wrongBody) = await AcceptAsync(new { token }, other.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("invitation_email_mismatch", wrongBody.GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u", ("t", admin.TenantId), ("u", other.UserId)));

        var (ok, okBody) = await AcceptAsync(new { token }, invitee.AccessToken);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var data = okBody.GetProperty("data");
        Assert.Equal(admin.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal("viewer", Assert.Single(data.GetProperty("roles").EnumerateArray()).GetString());
        Assert.False(data.TryGetProperty("access_token", out _));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u AND roles = ARRAY['viewer']", ("t", admin.TenantId), ("u", invitee.UserId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'invitation_accepted' AND resource_id = @i AND user_id = @u",
            ("t", admin.TenantId), ("i", invitationId), ("u", invitee.UserId)));
        // The account's password and its own workspace are untouched.
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u AND roles = ARRAY['admin']", ("t", invitee.TenantId), ("u", invitee.UserId)));

        // A token for the invited workspace now works with the viewer role (403 on admin-only, not 401).
        var scoped = await app.TokenForAsync(invitee.UserId, admin.TenantId);
        using var client = app.Client(scoped.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations")).StatusCode);

        var (again, againBody) = await AcceptAsync(new { token }, invitee.AccessToken);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal("invitation_invalid", againBody.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Accepting_while_already_a_member_is_409_and_leaves_the_invitation_open()
    {
        var admin = await app.SignUpAsync();
        var invitee = await app.SignUpAsync();
        var (invitationId, token) = await InviteAsync(admin, invitee.Email, "member");
        await app.AddMembershipAsync(admin.TenantId, invitee.UserId, ["viewer"]);

        var (res, body) = await AcceptAsync(new { token }, invitee.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("already_member", body.GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND user_id = @u AND roles = ARRAY['viewer']", ("t", admin.TenantId), ("u", invitee.UserId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations WHERE id = @i AND accepted_at IS NULL", ("i", invitationId)));
    }

    [Fact]
    public async Task An_api_key_is_refused_and_the_invitation_stays_open()
    {
        var admin = await app.SignUpAsync();
        var invitee = await app.SignUpAsync();
        using var adminClient = app.Client(invitee.AccessToken);
        var keyRes = await adminClient.PostJsonAsync("/v1/api-keys", new { name = "ci", permissions = new[] { "automations:read" } });
        var key = (await keyRes.ReadAsync()).GetProperty("data").GetProperty("key").GetString()!;
        var (_, token) = await InviteAsync(admin, invitee.Email, "member");

        var (res, body) = await AcceptAsync(new { token }, key);

        // flows.md: API keys are refused (403) on invitation endpoints.
        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM invitations WHERE email = @e AND accepted_at IS NOT NULL", ("e", invitee.Email)));
    }
}
