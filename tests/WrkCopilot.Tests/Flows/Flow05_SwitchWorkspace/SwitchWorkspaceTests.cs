using System.Net;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow05_SwitchWorkspace;

public sealed class SwitchWorkspaceTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<HttpResponseMessage> SwitchAsync(string bearer, object body)
    {
        using var client = app.Client(bearer);
        return await client.PostJsonAsync("/v1/auth/switch-tenant", body);
    }

    /// <summary>An API key of the caller's tenant with every permission (arranged directly; Flow 7 issues them).</summary>
    private async Task<string> ApiKeyAsync(Caller caller)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        await app.ExecuteAsync(
            "INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, permissions, created_by_id, created_at) " +
            "VALUES (@id, @t, 'ci', @p, @h, @perms, @u, now())",
            ("id", Guid.CreateVersion7()), ("t", caller.TenantId), ("p", prefix), ("h", Secrets.Hash(key)),
            ("perms", Permissions.All.ToArray()), ("u", caller.UserId));
        return key;
    }

    [Fact]
    public async Task Switch_gives_tokens_scoped_to_the_other_workspace_in_a_new_session_family()
    {
        var user = await app.SignUpAsync(workspace: "Home Co");
        var host = await app.SignUpAsync(workspace: "Guest Co");
        await app.AddMembershipAsync(host.TenantId, user.UserId, "viewer");

        var res = await SwitchAsync(user.AccessToken, new { tenant_id = host.TenantId });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var data = (await res.ReadAsync()).GetProperty("data");
        var switched = Caller.From(data, user.Email, user.Password);
        Assert.Equal(host.TenantId, switched.TenantId);
        Assert.Equal(user.UserId, switched.UserId);
        Assert.Equal(["viewer"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Bearer", data.GetProperty("token_type").GetString());
        Assert.NotEqual(Arrange.SessionFamily(user.AccessToken), Arrange.SessionFamily(switched.AccessToken));

        var (status, me) = await app.MeAsync(switched.AccessToken);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(host.TenantId, me.GetProperty("data").GetProperty("tenant_id").GetGuid());
        Assert.Equal(["viewer"], me.GetProperty("data").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        // The first workspace's session lives on.
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(user.AccessToken)).Status);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'switch_tenant' AND user_id = @u",
            ("t", host.TenantId), ("u", user.UserId)));
        // The refresh token of the switched session refreshes into the same workspace.
        using var anon = app.Client();
        var refreshed = await anon.PostJsonAsync("/v1/auth/refresh", new { refresh_token = switched.RefreshToken });
        Assert.Equal(host.TenantId, (await refreshed.ReadAsync()).GetProperty("data").GetProperty("tenant_id").GetGuid());
    }

    [Fact]
    public async Task Switching_to_another_users_workspace_is_404_and_leaks_nothing()
    {
        var user = await app.SignUpAsync();
        var stranger = await app.SignUpAsync(workspace: "Secret Stranger Workspace");
        var sessionsBefore = await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u", ("u", user.UserId));

        var res = await SwitchAsync(user.AccessToken, new { tenant_id = stranger.TenantId });
        var missing = await SwitchAsync(user.AccessToken, new { tenant_id = Guid.CreateVersion7() });

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var body = (await res.ReadAsync()).ToString();
        var missingBody = await missing.ReadAsync();
        Assert.Equal("not_found", missingBody.GetProperty("code").GetString());
        Assert.DoesNotContain("Secret Stranger", body);
        Assert.DoesNotContain(stranger.TenantId.ToString(), body);
        Assert.DoesNotContain(stranger.Email, body);
        // A missing tenant and a foreign one answer alike.
        Assert.Equal(missingBody.GetProperty("detail").GetString(), (await res.ReadAsync()).GetProperty("detail").GetString());
        Assert.Equal(sessionsBefore, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u", ("u", user.UserId)));
    }

    [Fact]
    public async Task A_removed_member_can_no_longer_switch_in()
    {
        var user = await app.SignUpAsync();
        var host = await app.SignUpAsync();
        await app.AddMembershipAsync(host.TenantId, user.UserId, "member");
        await app.ExecuteAsync("DELETE FROM memberships WHERE tenant_id = @t AND user_id = @u", ("t", host.TenantId), ("u", user.UserId));

        var res = await SwitchAsync(user.AccessToken, new { tenant_id = host.TenantId });

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"tenant_id\": \"00000000-0000-0000-0000-000000000000\"}")]
    [InlineData("{\"tenant_id\": \"not-a-uuid\"}")]
    public async Task Bad_input_is_400_naming_tenant_id(string json)
    {
        var user = await app.SignUpAsync();
        using var client = app.Client(user.AccessToken);

        var res = await client.PostAsync("/v1/auth/switch-tenant", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var problem = await res.ReadAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("$.tenant_id", out _), problem.ToString());
    }

    [Fact]
    public async Task Anonymous_is_401_and_an_api_key_is_403_on_switch_and_me()
    {
        var user = await app.SignUpAsync();
        var key = await ApiKeyAsync(user);

        using var anon = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostJsonAsync("/v1/auth/switch-tenant", new { tenant_id = user.TenantId })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync("/v1/users/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await SwitchAsync(key, new { tenant_id = user.TenantId })).StatusCode);
        var me = await app.MeAsync(key);
        Assert.Equal(HttpStatusCode.Forbidden, me.Status);
        Assert.Equal("forbidden", me.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Me_lists_every_membership_and_the_active_workspace()
    {
        var user = await app.SignUpAsync(workspace: "Mine");
        var host = await app.SignUpAsync(workspace: "Theirs");
        var unrelated = await app.SignUpAsync(workspace: "Unrelated");
        await app.AddMembershipAsync(host.TenantId, user.UserId, "member", "viewer");

        var (status, body) = await app.MeAsync(user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("data");
        Assert.Equal(user.UserId, data.GetProperty("id").GetGuid());
        Assert.Equal(user.Email, data.GetProperty("email").GetString());
        Assert.Equal("Test User", data.GetProperty("name").GetString());
        Assert.Equal(user.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal(["admin"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var memberships = data.GetProperty("memberships").EnumerateArray().ToList();
        Assert.Equal(2, memberships.Count);
        Assert.Equal(user.TenantId, memberships[0].GetProperty("tenant_id").GetGuid());
        Assert.Equal("Mine", memberships[0].GetProperty("tenant_name").GetString());
        Assert.Equal("client", memberships[0].GetProperty("tenant_kind").GetString());
        Assert.Equal(host.TenantId, memberships[1].GetProperty("tenant_id").GetGuid());
        Assert.Equal("Theirs", memberships[1].GetProperty("tenant_name").GetString());
        Assert.Equal(["member", "viewer"], memberships[1].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain("Unrelated", body.ToString());
        Assert.DoesNotContain(unrelated.TenantId.ToString(), body.ToString());
        Assert.False(data.TryGetProperty("password_hash", out _));
    }
}
