using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WrkCopilot.Features.Kernel.Hosting;

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

/// <summary>
/// Shared across instances through Redis; while Redis is unreachable, counts in this instance's memory
/// (the limit then holds per instance) rather than failing the login.
/// </summary>
internal sealed class RedisLoginThrottle(IConnectionMultiplexer redis, IOptions<AuthOptions> options,
    MemoryLoginThrottle fallback, ILogger<RedisLoginThrottle> logger) : ILoginThrottle
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
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, [Key(emailNormalized)], [window]))!;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "login throttle");
            return await fallback.TryAcquireAsync(emailNormalized);
        }
        var attempts = (long)result[0];
        var ttl = (long)result[1];
        return attempts > options.Value.LoginMaxFailures ? TimeSpan.FromMilliseconds(ttl > 0 ? ttl : window) : null;
    }

    public async Task ResetAsync(string emailNormalized)
    {
        // Both: attempts counted in memory during an outage must not outlive a successful login either.
        await fallback.ResetAsync(emailNormalized);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(Key(emailNormalized));
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "login throttle");
        }
    }

    private static RedisKey Key(string email) => $"wrk:login-attempts:{email}";
}
