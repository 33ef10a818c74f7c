using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

public sealed class RefreshLogoutTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<HttpResponseMessage> RefreshAsync(string token)
    {
        using var client = app.Client();
        return await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = token });
    }

    [Fact]
    public async Task Refresh_rotates_the_token_within_its_family_with_current_roles()
    {
        var user = await app.SignUpAsync();
        // A demotion since the token was issued shows in the refreshed answer.
        await app.ExecuteAsync("UPDATE memberships SET roles = ARRAY['viewer'] WHERE user_id = @u", ("u", user.UserId));

        var res = await RefreshAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var data = (await res.ReadAsync()).GetProperty("data");
        var next = Caller.From(data, user.Email, user.Password);
        Assert.NotEqual(user.RefreshToken, next.RefreshToken);
        Assert.Equal(user.TenantId, next.TenantId);
        Assert.Equal(["viewer"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var family = Arrange.SessionFamily(user.AccessToken);
        Assert.Equal(family, Arrange.SessionFamily(next.AccessToken));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM sessions old JOIN sessions n ON n.id = old.replaced_by_id " +
            "WHERE old.family_id = @f AND n.family_id = @f AND old.rotated_at IS NOT NULL AND n.rotated_at IS NULL", ("f", family)));
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(next.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(next.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Reusing_a_rotated_token_revokes_the_whole_family_and_its_access_tokens()
    {
        var user = await app.SignUpAsync();
        var first = await RefreshAsync(user.RefreshToken);
        var current = Caller.From((await first.ReadAsync()).GetProperty("data"), user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(current.AccessToken)).Status);

        var replay = await RefreshAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("refresh_token_reused", (await replay.ReadAsync()).GetProperty("code").GetString());
        var family = Arrange.SessionFamily(user.AccessToken);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE family_id = @f AND revoked_at IS NULL", ("f", family)));
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM sessions WHERE family_id = @f AND revoked_reason = 'reuse_detected'", ("f", family)));
        // The thief's and the user's newest tokens are both dead now.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(current.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(current.RefreshToken)).StatusCode);
        // Another login of the same user is a different family and keeps working.
        var other = await app.LoginAsync(user.Email);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(other.AccessToken)).Status);
    }

    [Fact]
    public async Task Unknown_and_expired_refresh_tokens_are_401()
    {
        var unknown = await RefreshAsync("not-a-real-refresh-token");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("invalid_refresh_token", (await unknown.ReadAsync()).GetProperty("code").GetString());

        var user = await app.SignUpAsync();
        await app.ExecuteAsync("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = @u", ("u", user.UserId));
        var expired = await RefreshAsync(user.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("refresh_token_expired", (await expired.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Refresh_without_a_token_is_400_naming_the_field()
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = "" });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True((await res.ReadAsync()).GetProperty("errors").TryGetProperty("$.refresh_token", out _));
    }

    [Fact]
    public async Task Logout_revokes_the_family_so_access_and_refresh_tokens_stop_working()
    {
        var user = await app.SignUpAsync();
        var elsewhere = await app.LoginAsync(user.Email);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(user.AccessToken)).Status);

        using var client = app.Client(user.AccessToken);
        var res = await client.PostJsonAsync("/v1/auth/logout", new { });

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(user.AccessToken)).Status);
        var refresh = await RefreshAsync(user.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM sessions WHERE family_id = @f AND revoked_reason = 'logout'", ("f", Arrange.SessionFamily(user.AccessToken))));
        // The other device's session is untouched.
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(elsewhere.AccessToken)).Status);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'logout'", ("t", user.TenantId)));
    }

    [Fact]
    public async Task Logout_with_another_own_refresh_token_ends_that_family_but_ignores_someone_elses()
    {
        var user = await app.SignUpAsync();
        var second = await app.LoginAsync(user.Email);
        var stranger = await app.SignUpAsync();

        using var client = app.Client(user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync("/v1/auth/logout", new { refresh_token = second.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(second.AccessToken)).Status);

        var again = await app.LoginAsync(user.Email);
        using var client2 = app.Client(again.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await client2.PostJsonAsync("/v1/auth/logout", new { refresh_token = stranger.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(stranger.AccessToken)).Status);
    }

    [Fact]
    public async Task Logout_needs_a_logged_in_user()
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/logout", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
    }
}
