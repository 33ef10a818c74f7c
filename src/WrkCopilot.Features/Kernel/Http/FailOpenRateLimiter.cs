using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// One partition's Redis limiter, falling back to an in-memory limiter for the same key and limit whenever
/// Redis fails: during an outage each instance enforces the limit on its own (looser across instances, never
/// a 500). Every call tries Redis first, so shared buckets resume as soon as it is back.
/// </summary>
internal sealed class FailOpenRateLimiter(RateLimiter primary, Func<RateLimiter> fallbackFactory, ILogger logger) : RateLimiter
{
    private readonly Lock _gate = new();
    private RateLimiter? _fallback;

    private RateLimiter Fallback
    {
        get
        {
            lock (_gate)
            {
                return _fallback ??= fallbackFactory();
            }
        }
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            var fallback = _fallback;
            var primaryIdle = SafePrimaryIdle();
            if (fallback is null)
            {
                return primaryIdle;
            }
            // Not idle while the in-memory window still holds counts: evicting it would forget them.
            var fallbackIdle = fallback.IdleDuration;
            return primaryIdle is null || fallbackIdle is null ? null : (primaryIdle < fallbackIdle ? primaryIdle : fallbackIdle);
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        try
        {
            return primary.GetStatistics();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            return Fallback.GetStatistics();
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        try
        {
            return primary.AttemptAcquire(permitCount);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "rate limiter");
            return Fallback.AttemptAcquire(permitCount);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "rate limiter");
            return await Fallback.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            primary.Dispose();
            _fallback?.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await primary.DisposeAsync();
        if (_fallback is not null)
        {
            await _fallback.DisposeAsync();
        }
        await base.DisposeAsyncCore();
    }

    private TimeSpan? SafePrimaryIdle()
    {
        try
        {
            return primary.IdleDuration;
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            return TimeSpan.Zero;
        }
    }
}
