using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WrkCopilot.Features.Kernel.Hosting;

/// <summary>
/// Redis is an accelerator (shared buckets, shared throttle, L2 cache), never a single point of failure:
/// callers catch what <see cref="IsOutage"/> recognises and carry on in memory.
/// </summary>
internal static class RedisFailures
{
    private static long _lastWarningTicks = long.MinValue;

    /// <summary>Connection refused or lost, command timed out, or the server refused the command.</summary>
    public static bool IsOutage(Exception ex) => ex is RedisException or TimeoutException;

    /// <summary>
    /// An outage fails every request the same way: one warning a minute per process is enough to page someone,
    /// without a log line per request.
    /// </summary>
    public static void Warn(ILogger logger, Exception ex, string component)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (last != long.MinValue && now - last < 60_000)
        {
            logger.LogDebug(ex, "Redis unavailable ({Component}); using the in-memory fallback", component);
            return;
        }
        if (Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            logger.LogWarning(ex, "Redis unavailable ({Component}); using the in-memory fallback (logged at most once a minute)", component);
        }
    }

    /// <summary>
    /// Parses <c>Redis:Connection</c> so that a Redis down at boot does not stop the app (no abort on connect failure),
    /// and a Redis down later fails commands at once instead of queueing them until a timeout, so each request
    /// pays no latency for the outage. <c>Redis:TimeoutMs</c> bounds a command against a Redis that is up but slow.
    /// </summary>
    public static ConfigurationOptions Options(string connection, int? timeoutMs)
    {
        var options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = timeoutMs ?? 1000;
        options.SyncTimeout = timeoutMs ?? 1000;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
