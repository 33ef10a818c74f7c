using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using WrkCopilot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WrkCopilot.Tests.Kernel.Http;

/// <summary>Redis configured but down from boot: a loopback port nothing listens on.</summary>
public class DeadRedisApp : WrkApp
{
    private static readonly Lazy<int> DeadPort = new(() =>
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    });

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Redis:Connection", $"127.0.0.1:{DeadPort.Value}"),
        new("Auth:LoginMaxFailures", "2"),
    ];
}

public sealed class DeadRedisLowLimitApp : DeadRedisApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [.. base.Settings(), new("Http:TenantRequestsPerMinute", "3")];
}

/// <summary>Redis is an accelerator: while it is unreachable the API keeps working on per-instance memory.</summary>
public sealed class RedisOutageTests(DeadRedisApp app, ITestOutputHelper output) : IClassFixture<DeadRedisApp>
{
    [Fact]
    public async Task Signup_login_and_member_management_work_and_a_removed_member_is_refused()
    {
        var clock = Stopwatch.StartNew();
        var admin = await app.SignUpAsync();
        var signup = clock.Elapsed;
        clock.Restart();
        var loggedIn = await app.LoginAsync(admin.Email);
        var login = clock.Elapsed;
        clock.Restart();
        var (meStatus, me) = await app.MeAsync(loggedIn.AccessToken);
        var meTime = clock.Elapsed;
        output.WriteLine($"with Redis down: signup {signup.TotalMilliseconds:F0} ms, login {login.TotalMilliseconds:F0} ms, GET /v1/users/me {meTime.TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, meStatus);
        Assert.Contains(admin.Email, me.ToString());

        var member = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        using var memberClient = app.Client(member.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await memberClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);
        using var adminClient = app.Client(loggedIn.AccessToken);

        var promoted = await (await adminClient.PutJsonAsync($"/v1/tenants/{admin.TenantId}/users/{member.UserId}/roles", new { roles = new[] { "admin" } }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("admin", Assert.Single(promoted.GetProperty("data").GetProperty("roles").EnumerateArray()).GetString());
        // The role cache was forgotten despite Redis: the promotion shows at once.
        Assert.Equal(HttpStatusCode.OK, (await memberClient.GetAsync($"/v1/tenants/{admin.TenantId}/users")).StatusCode);

        await (await adminClient.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{member.UserId}")).ExpectAsync(HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, (await memberClient.GetAsync("/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task The_login_throttle_falls_back_to_memory()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "wrong-password-123" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "wrong-password-123" })).StatusCode);

        var blocked = await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.Contains("Retry-After"));
    }
}

public sealed class RedisOutageRateLimitTests(DeadRedisLowLimitApp app, ITestOutputHelper output) : IClassFixture<DeadRedisLowLimitApp>
{
    [Fact]
    public async Task The_tenant_rate_limit_still_applies_through_the_in_memory_fallback()
    {
        var caller = await app.WorkspaceAdminAsync("outage");
        using var client = app.Client(caller.AccessToken);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            var res = await client.GetAsync("/v1/users/me");
            output.WriteLine($"GET /v1/users/me #{i + 1} with Redis down: {(int)res.StatusCode} in {clock.Elapsed.TotalMilliseconds:F0} ms");
            codes.Add(res.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
    }
}
