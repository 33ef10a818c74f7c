using System.Net;
using System.Text.Json;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

public sealed class LoginTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Login_returns_tokens_for_the_first_workspace_updates_last_login_and_is_audited()
    {
        var owner = await app.SignUpAsync(workspace: "First Co");
        var other = await app.SignUpAsync(workspace: "Second Co");
        await app.AddMembershipAsync(other.TenantId, owner.UserId, "viewer");

        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/login", new { email = owner.Email.ToUpperInvariant(), password = owner.Password });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var data = (await res.ReadAsync()).GetProperty("data");
        Assert.Equal("Bearer", data.GetProperty("token_type").GetString());
        Assert.Equal(900, data.GetProperty("expires_in").GetInt32());
        Assert.Equal(owner.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal(owner.UserId, data.GetProperty("user_id").GetGuid());
        Assert.Equal(["admin"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(string.IsNullOrEmpty(data.GetProperty("refresh_token").GetString()));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM users WHERE id = @u AND last_login_at IS NOT NULL", ("u", owner.UserId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'login' AND user_id = @u", ("t", owner.TenantId), ("u", owner.UserId)));

        var (status, me) = await app.MeAsync(data.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(owner.TenantId, me.GetProperty("data").GetProperty("tenant_id").GetGuid());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client();

        var wrong = await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "not-the-right-password" });
        var unknown = await client.PostJsonAsync("/v1/auth/login", new { email = Identities.NewEmail(), password = "not-the-right-password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var a = await wrong.ReadAsync();
        var b = await unknown.ReadAsync();
        Assert.Equal("invalid_credentials", a.GetProperty("code").GetString());
        Assert.Equal(a.GetProperty("code").GetString(), b.GetProperty("code").GetString());
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u", ("u", user.UserId)));
    }

    [Fact]
    public async Task A_user_without_any_membership_is_refused_like_bad_credentials()
    {
        var user = await app.SignUpAsync();
        await app.ExecuteAsync("DELETE FROM memberships WHERE user_id = @u", ("u", user.UserId));

        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal("invalid_credentials", (await res.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_user_removed_from_the_workspace_loses_access_tokens_and_refresh()
    {
        var user = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        await app.AddMembershipAsync(other.TenantId, user.UserId, "member");
        var second = await app.LoginAsync(user.Email, tenantId: other.TenantId);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(second.AccessToken)).Status);

        await app.ExecuteAsync("DELETE FROM memberships WHERE tenant_id = @t AND user_id = @u", ("t", other.TenantId), ("u", user.UserId));

        using var client = app.Client();
        var refresh = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = second.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        // Login now lands in the workspace the user still belongs to.
        var again = await app.LoginAsync(user.Email);
        Assert.Equal(user.TenantId, again.TenantId);
    }

    [Theory]
    [InlineData("", "whatever-password", "$.email")]
    [InlineData("not-an-email", "whatever-password", "$.email")]
    [InlineData("a@b.test", "", "$.password")]
    public async Task Bad_input_is_400_naming_the_field(string email, string password, string field)
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/login", new { email, password });

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var problem = await res.ReadAsync();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_tenant_id_smuggled_into_login_is_rejected()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = user.Password, tenant_id = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_session_endpoints()
    {
        using var client = app.Client();
        var doc = await (await client.GetAsync("/swagger/v1/swagger.json")).ReadAsync();
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout", "/v1/auth/password-reset",
                     "/v1/auth/password-reset/confirm", "/v1/auth/switch-tenant", "/v1/users/me" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path + " in " + string.Join(",", paths.EnumerateObject().Select(p => p.Name)));
        }
        Assert.True(paths.GetProperty("/v1/auth/login").GetProperty("post").GetProperty("responses").TryGetProperty("429", out _));
    }

    [Fact]
    public void Production_password_hashing_uses_at_least_600k_iterations()
    {
        Assert.True(new AuthOptions().PasswordIterations >= 600_000);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WrkCopilot.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "src", "WrkCopilot", "appsettings.json")));
        Assert.True(settings.RootElement.GetProperty("Auth").GetProperty("PasswordIterations").GetInt32() >= 600_000);
    }
}

/// <summary>Three failures within the window block the email.</summary>
public sealed class ThrottledApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("Auth:LoginMaxFailures", "3")];
}

public sealed class LoginThrottleTests(ThrottledApp app) : IClassFixture<ThrottledApp>
{
    private async Task<HttpResponseMessage> LoginAsync(string email, string password)
    {
        using var client = app.Client();
        return await client.PostJsonAsync("/v1/auth/login", new { email, password });
    }

    [Fact]
    public async Task After_the_limit_even_the_right_password_gets_429_with_retry_after()
    {
        var user = await app.SignUpAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(user.Email, "wrong-password-" + i)).StatusCode);
        }

        var blocked = await LoginAsync(user.Email.ToUpperInvariant(), user.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal("too_many_login_attempts", (await blocked.ReadAsync()).GetProperty("code").GetString());
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero, blocked.Headers.RetryAfter?.ToString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u", ("u", user.UserId)));

        // Another account is not affected.
        var other = await app.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(other.Email, other.Password)).StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_exceed_the_limit()
    {
        var user = await app.SignUpAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => LoginAsync(user.Email, "wrong-password-" + i)));

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(17, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_successful_login_resets_the_failure_count()
    {
        var user = await app.SignUpAsync();
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(user.Email, "wrong-password-a")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(user.Email, "wrong-password-b")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(user.Email, user.Password)).StatusCode);
        }
    }

    [Fact]
    public async Task Unknown_emails_are_throttled_too()
    {
        var email = Identities.NewEmail();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(email, "wrong-password")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(email, "wrong-password")).StatusCode);
    }
}
