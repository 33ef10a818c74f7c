using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// Login attempts per email in a fixed window. An attempt is counted atomically before the password is
/// checked, so parallel guesses cannot all slip in before the first failure is recorded; a success resets.
/// </summary>
public interface ILoginThrottle
{
    /// <summary>Counts this attempt; null when it may proceed, else how long until the window ends.</summary>
    Task<TimeSpan?> TryAcquireAsync(string emailNormalized);

    Task ResetAsync(string emailNormalized);
}

internal sealed class MemoryLoginThrottle(IMemoryCache cache, IOptions<AuthOptions> options, TimeProvider clock) : ILoginThrottle
{
    private sealed class Counter
    {
        public int Attempts;
        public DateTimeOffset WindowEnds;
    }

    private readonly Lock _gate = new();

    public Task<TimeSpan?> TryAcquireAsync(string emailNormalized)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var c = cache.Get<Counter>(Key(emailNormalized));
            if (c is null || c.WindowEnds <= now)
            {
                c = new Counter { WindowEnds = now + options.Value.LoginFailureWindow };
                cache.Set(Key(emailNormalized), c, c.WindowEnds);
            }
            c.Attempts++;
            return Task.FromResult<TimeSpan?>(c.Attempts > options.Value.LoginMaxFailures ? c.WindowEnds - now : null);
        }
    }

    public Task ResetAsync(string emailNormalized)
    {
        cache.Remove(Key(emailNormalized));
        return Task.CompletedTask;
    }

    private static string Key(string email) => $"login-attempts:{email}";
}

internal sealed class RedisLoginThrottle(IConnectionMultiplexer redis, IOptions<AuthOptions> options) : ILoginThrottle
{
    // INCR and start the window on the first attempt, in one round trip: atomic across instances.
    private const string Script = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return { n, redis.call('PTTL', KEYS[1]) }
        """;

    public async Task<TimeSpan?> TryAcquireAsync(string emailNormalized)
    {
        var window = (long)options.Value.LoginFailureWindow.TotalMilliseconds;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, [Key(emailNormalized)], [window]))!;
        var attempts = (long)result[0];
        var ttl = (long)result[1];
        return attempts > options.Value.LoginMaxFailures ? TimeSpan.FromMilliseconds(ttl > 0 ? ttl : window) : null;
    }

    public Task ResetAsync(string emailNormalized) => redis.GetDatabase().KeyDeleteAsync(Key(emailNormalized));

    private static RedisKey Key(string email) => $"wrk:login-attempts:{email}";
}
