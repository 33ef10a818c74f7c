using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow03_InviteUser;

public sealed class InviteUserTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private async Task<(HttpResponseMessage Res, JsonElement Body)> InviteAsync(Caller admin, string email, params string[] roles)
    {
        using var client = app.Client(admin.AccessToken);
        var res = await client.PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations", new { email, roles });
        return (res, await res.ReadAsync());
    }

    private static void AssertValidation(HttpResponseMessage res, JsonElement problem, string path)
    {
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(path, out _), problem.ToString());
    }

    [Fact]
    public async Task Admin_invites_token_shown_once_stored_hashed_emailed_and_audited()
    {
        var admin = await app.SignUpAsync();
        var email = Identities.NewEmail("invitee");

        var (res, body) = await InviteAsync(admin, email, "member");

        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var data = body.GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        var token = data.GetProperty("token").GetString()!;
        Assert.Equal(email, data.GetProperty("email").GetString());
        Assert.Equal("member", Assert.Single(data.GetProperty("roles").EnumerateArray()).GetString());
        var expiresAt = data.GetProperty("expires_at").GetDateTimeOffset();
        Assert.Equal(7, await app.CountAsync(
            "SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::int FROM invitations WHERE id = @id", ("id", id)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM invitations WHERE id = @id AND tenant_id = @t AND token_hash = @h AND invited_by_id = @u AND expires_at = @e",
            ("id", id), ("t", admin.TenantId), ("h", Sha256(token)), ("u", admin.UserId), ("e", expiresAt)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM invitations WHERE token_hash = @tok", ("tok", token)));
        // The outbox never holds the token; the mail job recomputes it, and the email carries the acceptance link.
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE payload::text LIKE '%' || @tok || '%'", ("tok", token)));
        Assert.Contains($"/invitations/accept?token={Uri.EscapeDataString(token)}", await app.LastEmailBodyAsync(email), StringComparison.Ordinal);
        // Audited in the tenant, without the token.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'invitation_created' AND resource_id = @id AND user_id = @u",
            ("t", admin.TenantId), ("id", id), ("u", admin.UserId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE metadata_json::text LIKE '%' || @tok || '%'", ("tok", token)));

        // The list shows it pending and never exposes the token or its hash.
        using var client = app.Client(admin.AccessToken);
        var list = await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var text = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain(Sha256(token), text);
        var item = Assert.Single((await list.ReadAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetGuid());
        Assert.Equal("pending", item.GetProperty("status").GetString());
        Assert.False(item.TryGetProperty("token", out _));
        Assert.False(item.TryGetProperty("token_hash", out _));
    }

    [Fact]
    public async Task A_client_workspace_cannot_invite_with_an_operator_role_or_no_role()
    {
        var admin = await app.SignUpAsync();

        var (res, body) = await InviteAsync(admin, Identities.NewEmail(), "ops_admin");
        AssertValidation(res, body, "$.roles");
        (res, body) = await InviteAsync(admin, Identities.NewEmail(), "member", "owner");
        AssertValidation(res, body, "$.roles");
        (res, body) = await InviteAsync(admin, Identities.NewEmail());
        AssertValidation(res, body, "$.roles");
        (res, body) = await InviteAsync(admin, "not-an-email", "member");
        AssertValidation(res, body, "$.email");

        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM invitations WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Operator_admin_invites_staff_roles_into_the_operator_tenant_only()
    {
        var staff = await app.OperatorAdminAsync();

        var (ok, okBody) = await InviteAsync(staff, Identities.NewEmail("ops"), "ops_admin");
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal("ops_admin", Assert.Single(okBody.GetProperty("data").GetProperty("roles").EnumerateArray()).GetString());

        var (bad, badBody) = await InviteAsync(staff, Identities.NewEmail(), "viewer");
        AssertValidation(bad, badBody, "$.roles");

        // A staff admin cannot invite into a client workspace through the Studio path.
        var client = await app.SignUpAsync();
        using var http = app.Client(staff.AccessToken);
        var cross = await http.PostJsonAsync($"/v1/tenants/{client.TenantId}/invitations", new { email = Identities.NewEmail(), roles = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.NotFound, cross.StatusCode);
    }

    [Fact]
    public async Task Inviting_an_existing_member_is_409_already_member()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["viewer"]);

        var (res, body) = await InviteAsync(admin, member.Email.ToUpperInvariant(), "member");

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("already_member", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Reinviting_an_email_revokes_the_open_invitation_and_its_link()
    {
        var admin = await app.SignUpAsync();
        var email = Identities.NewEmail();
        var (_, first) = await InviteAsync(admin, email, "viewer");
        var (second, secondBody) = await InviteAsync(admin, email, "member");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        using var client = app.Client(admin.AccessToken);
        var items = (await (await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations")).ReadAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("revoked", items.Single(i => i.GetProperty("id").GetGuid() == first.GetProperty("data").GetProperty("id").GetGuid()).GetProperty("status").GetString());
        Assert.Equal("pending", items.Single(i => i.GetProperty("id").GetGuid() == secondBody.GetProperty("data").GetProperty("id").GetGuid()).GetProperty("status").GetString());

        using var anon = app.Client();
        var oldLink = await anon.PostJsonAsync("/v1/invitations/accept", new { token = first.GetProperty("data").GetProperty("token").GetString(), name = "N", password = Identities.Password });
        Assert.Equal(HttpStatusCode.Gone, oldLink.StatusCode);
    }

    [Fact]
    public async Task List_shows_expired_invitations_and_pages_with_a_cursor()
    {
        var admin = await app.SignUpAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await InviteAsync(admin, Identities.NewEmail(), "viewer")).Body.GetProperty("data").GetProperty("id").GetGuid());
        }
        await app.CountAsync("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = @id", ("id", ids[0]));

        using var client = app.Client(admin.AccessToken);
        var page1 = await (await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations?limit=2")).ReadAsync();
        var cursor = page1.GetProperty("meta").GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var page2 = await (await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations?limit=2&cursor={cursor}")).ReadAsync();
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("meta").GetProperty("next_cursor").ValueKind);

        var all = page1.GetProperty("data").EnumerateArray().Concat(page2.GetProperty("data").EnumerateArray()).ToList();
        Assert.Equal(ids.OrderDescending(), all.Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal("expired", all.Single(i => i.GetProperty("id").GetGuid() == ids[0]).GetProperty("status").GetString());

        var badCursor = await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations?cursor=nonsense");
        AssertValidation(badCursor, await badCursor.ReadAsync(), "$.cursor");
    }

    [Fact]
    public async Task Revoke_marks_the_invitation_revoked_audits_and_kills_the_link()
    {
        var admin = await app.SignUpAsync();
        var (_, body) = await InviteAsync(admin, Identities.NewEmail(), "member");
        var id = body.GetProperty("data").GetProperty("id").GetGuid();
        using var client = app.Client(admin.AccessToken);

        var res = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/invitations/{id}");

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations WHERE id = @id AND revoked_at IS NOT NULL", ("id", id)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'invitation_revoked' AND resource_id = @id", ("id", id)));
        using var anon = app.Client();
        var accept = await anon.PostJsonAsync("/v1/invitations/accept", new { token = body.GetProperty("data").GetProperty("token").GetString(), name = "N", password = Identities.Password });
        Assert.Equal(HttpStatusCode.Gone, accept.StatusCode);

        var unknown = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/invitations/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Revoking_an_accepted_invitation_is_409()
    {
        var admin = await app.SignUpAsync();
        var (_, body) = await InviteAsync(admin, Identities.NewEmail(), "member");
        var data = body.GetProperty("data");
        using var anon = app.Client();
        var accept = await anon.PostJsonAsync("/v1/invitations/accept", new { token = data.GetProperty("token").GetString(), name = "New", password = Identities.Password });
        Assert.Equal(HttpStatusCode.Created, accept.StatusCode);

        using var client = app.Client(admin.AccessToken);
        var res = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/invitations/{data.GetProperty("id").GetGuid()}");

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("invitation_accepted", (await res.ReadAsync()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Members_and_viewers_are_403_on_every_invitation_endpoint(string role)
    {
        var admin = await app.SignUpAsync();
        var (_, body) = await InviteAsync(admin, Identities.NewEmail(), "member");
        var id = body.GetProperty("data").GetProperty("id").GetGuid();
        var weak = await app.AddMemberAsync(admin.TenantId, [role]);
        using var client = app.Client(weak.AccessToken);

        var post = await client.PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations", new { email = Identities.NewEmail(), roles = new[] { "admin" } });
        var get = await client.GetAsync($"/v1/tenants/{admin.TenantId}/invitations");
        var delete = await client.DeleteAsync($"/v1/tenants/{admin.TenantId}/invitations/{id}");

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal("forbidden", (await post.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations WHERE tenant_id = @t AND revoked_at IS NULL", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Another_tenants_admin_gets_404_and_learns_nothing()
    {
        var victim = await app.SignUpAsync();
        var secretEmail = Identities.NewEmail("secret");
        var (_, body) = await InviteAsync(victim, secretEmail, "member");
        var invitationId = body.GetProperty("data").GetProperty("id").GetGuid();
        var attacker = await app.SignUpAsync();
        using var client = app.Client(attacker.AccessToken);

        var responses = new[]
        {
            await client.GetAsync($"/v1/tenants/{victim.TenantId}/invitations"),
            await client.PostJsonAsync($"/v1/tenants/{victim.TenantId}/invitations", new { email = Identities.NewEmail(), roles = new[] { "admin" } }),
            await client.DeleteAsync($"/v1/tenants/{victim.TenantId}/invitations/{invitationId}"),
            await client.DeleteAsync($"/v1/tenants/{attacker.TenantId}/invitations/{invitationId}"),
        };
        foreach (var res in responses)
        {
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            var text = await res.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secretEmail, text);
            Assert.DoesNotContain(invitationId.ToString(), text);
            Assert.DoesNotContain(victim.TenantId.ToString(), text);
        }
        // The attacker's own list does not include the victim's invitation.
        var own = await (await client.GetAsync($"/v1/tenants/{attacker.TenantId}/invitations")).ReadAsync();
        Assert.Empty(own.GetProperty("data").EnumerateArray());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations WHERE id = @id AND revoked_at IS NULL", ("id", invitationId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM invitations"  + " WHERE tenant_id = @t", ("t", victim.TenantId)));
    }

    [Fact]
    public async Task Without_credentials_every_invitation_endpoint_is_401()
    {
        var admin = await app.SignUpAsync();
        using var anon = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync($"/v1/tenants/{admin.TenantId}/invitations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations", new { email = Identities.NewEmail(), roles = new[] { "admin" } })).StatusCode);
    }
}
