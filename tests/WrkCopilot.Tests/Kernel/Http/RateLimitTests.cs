using System.Net;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

public class LowLimitApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Http:AnonymousRequestsPerMinute", "3"),
        new("Http:TenantRequestsPerMinute", "4"),
        new("Http:ApiKeyRequestsPerMinute", "2"),
    ];
}

public sealed class RedisLowLimitApp : LowLimitApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [.. base.Settings(), new("Redis:Connection", RedisServer.Connection)];
}

public sealed class RateLimitTests(LowLimitApp app) : IClassFixture<LowLimitApp>
{
    [Fact]
    public async Task Anonymous_calls_are_limited_per_ip_with_429_and_retry_after()
    {
        using var client = app.Client();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await client.PostJsonAsync("/v1/auth/password-reset", new { email = "nobody@example.test" });
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.True(int.Parse(last.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal("rate_limited", (await last.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Tenants_have_their_own_buckets()
    {
        var a = await TenantCaller(app, "a");
        var b = await TenantCaller(app, "b");
        using var ca = app.Client(a);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((await ca.GetAsync("/v1/users/me")).StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        using var cb = app.Client(b);
        Assert.Equal(HttpStatusCode.OK, (await cb.GetAsync("/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_have_their_own_bucket()
    {
        var owner = await app.WorkspaceAdminAsync("k");
        var key = await app.ApiKeyAsync(owner.TenantId, permissions: [Permissions.AutomationsRead]);
        using var client = app.Client(key);
        var first = await client.GetAsync("/v1/users/me");
        var second = await client.GetAsync("/v1/users/me");
        var third = await client.GetAsync("/v1/users/me");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        // The key's exhaustion does not touch its tenant's user sessions.
        using var user = app.Client(owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/users/me")).StatusCode);
    }

    /// <summary>Signup is anonymous and itself limited per IP here, so tenants are arranged directly.</summary>
    internal static async Task<string> TenantCaller(WrkApp app, string name) => (await app.WorkspaceAdminAsync(name)).AccessToken;
}

/// <summary>Two instances over one database and one Redis share the buckets.</summary>
public sealed class RedisRateLimitTests : IAsyncLifetime
{
    private readonly RedisLowLimitApp _one = new();
    private RedisLowLimitApp? _two;

    public async Task InitializeAsync() => await _one.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        if (_two is not null)
        {
            await _two.DisposeAsync();
        }
    }

    [Fact]
    public async Task Buckets_are_shared_across_instances_through_redis()
    {
        _two = new RedisLowLimitApp();
        _two.UseDatabaseOf(_one);
        var token = await RateLimitTests.TenantCaller(_one, "shared");
        using var c1 = _one.Client(token);
        using var c2 = _two.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await c1.GetAsync("/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c2.GetAsync("/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c1.GetAsync("/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c2.GetAsync("/v1/users/me")).StatusCode);
        // Each instance alone has seen 2 of its 4; together they have used the tenant's 4.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c1.GetAsync("/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c2.GetAsync("/v1/users/me")).StatusCode);
    }
}
