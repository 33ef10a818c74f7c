using System.Net;
using StackExchange.Redis;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

public sealed class RedisApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Redis:Connection", RedisServer.Connection),
        new("Auth:LoginMaxFailures", "3"),
    ];
}

/// <summary>With <c>Redis:Connection</c> set, two instances share the login throttle and the hot-metadata cache.</summary>
public sealed class RedisSharedStateTests : IAsyncLifetime
{
    private readonly RedisApp _one = new();
    private readonly RedisApp _two = new();

    public async Task InitializeAsync()
    {
        await _one.InitializeAsync();
        _two.UseDatabaseOf(_one);
    }

    public async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        await _two.DisposeAsync();
    }

    [Fact]
    public async Task Failed_logins_counted_on_one_instance_throttle_the_other()
    {
        var user = await _one.SignUpAsync();
        using var c1 = _one.Client();
        using var c2 = _two.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await c1.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "wrong-password-123" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c2.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "wrong-password-123" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c1.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = "wrong-password-123" })).StatusCode);

        var blocked = await c2.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(blocked.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Roles_loaded_by_one_instance_are_cached_in_redis_for_both()
    {
        var user = await _one.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await _one.MeAsync(user.AccessToken)).Status);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisServer.Connection);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        // HybridCache writes its second level in the background: wait for it (a safety net, not a timing assert).
        var cached = false;
        for (var i = 0; i < 100 && !cached; i++)
        {
            cached = server.Keys(pattern: $"*roles:{user.TenantId}:{user.UserId}*").Any();
            if (!cached)
            {
                await Task.Delay(50);
            }
        }
        Assert.True(cached, "the role lookup never reached Redis");
        Assert.Equal(HttpStatusCode.OK, (await _two.MeAsync(user.AccessToken)).Status);
    }
}
