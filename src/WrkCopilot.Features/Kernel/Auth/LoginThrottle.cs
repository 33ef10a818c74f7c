using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>Counts failed logins per email; after the limit within the window, logins for it get 429.</summary>
public interface ILoginThrottle
{
    /// <summary>When blocked, how long until the next attempt is allowed.</summary>
    Task<TimeSpan?> BlockedForAsync(string emailNormalized);

    Task RecordFailureAsync(string emailNormalized);

    Task ResetAsync(string emailNormalized);
}

internal sealed class MemoryLoginThrottle(IMemoryCache cache, IOptions<AuthOptions> options, TimeProvider clock) : ILoginThrottle
{
    private sealed class Counter
    {
        public int Failures;
        public DateTimeOffset WindowEnds;
    }

    private readonly Lock _gate = new();

    public Task<TimeSpan?> BlockedForAsync(string emailNormalized)
    {
        lock (_gate)
        {
            if (cache.Get<Counter>(Key(emailNormalized)) is { } c && c.WindowEnds > clock.GetUtcNow() &&
                c.Failures >= options.Value.LoginMaxFailures)
            {
                return Task.FromResult<TimeSpan?>(c.WindowEnds - clock.GetUtcNow());
            }
            return Task.FromResult<TimeSpan?>(null);
        }
    }

    public Task RecordFailureAsync(string emailNormalized)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var c = cache.Get<Counter>(Key(emailNormalized));
            if (c is null || c.WindowEnds <= now)
            {
                c = new Counter { WindowEnds = now + options.Value.LoginFailureWindow };
            }
            c.Failures++;
            cache.Set(Key(emailNormalized), c, c.WindowEnds);
        }
        return Task.CompletedTask;
    }

    public Task ResetAsync(string emailNormalized)
    {
        cache.Remove(Key(emailNormalized));
        return Task.CompletedTask;
    }

    private static string Key(string email) => $"login-failures:{email}";
}

internal sealed class RedisLoginThrottle(IConnectionMultiplexer redis, IOptions<AuthOptions> options) : ILoginThrottle
{
    public async Task<TimeSpan?> BlockedForAsync(string emailNormalized)
    {
        var db = redis.GetDatabase();
        var count = await db.StringGetAsync(Key(emailNormalized));
        if (count.HasValue && (int)count >= options.Value.LoginMaxFailures)
        {
            return await db.KeyTimeToLiveAsync(Key(emailNormalized)) ?? options.Value.LoginFailureWindow;
        }
        return null;
    }

    public async Task RecordFailureAsync(string emailNormalized)
    {
        var db = redis.GetDatabase();
        var count = await db.StringIncrementAsync(Key(emailNormalized));
        if (count == 1)
        {
            await db.KeyExpireAsync(Key(emailNormalized), options.Value.LoginFailureWindow);
        }
    }

    public Task ResetAsync(string emailNormalized) => redis.GetDatabase().KeyDeleteAsync(Key(emailNormalized));

    private static RedisKey Key(string email) => $"wrk:login-failures:{email}";
}
