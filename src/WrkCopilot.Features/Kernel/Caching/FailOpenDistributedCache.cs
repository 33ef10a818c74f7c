using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Caching;

/// <summary>
/// The Redis L2 under HybridCache: an outage reads as a miss and writes/removals become no-ops, so the
/// in-memory L1 and the database keep serving. (HybridCache already survives failing L2 reads and writes,
/// but not every call path, e.g. <c>RemoveAsync</c> on role changes, is guarded.)
/// </summary>
internal sealed class FailOpenDistributedCache(IDistributedCache inner, ILogger<FailOpenDistributedCache> logger) : IDistributedCache
{
    public byte[]? Get(string key)
    {
        try
        {
            return inner.Get(key);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "cache");
            return null;
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        try
        {
            return await inner.GetAsync(key, token);
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "cache");
            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Guard(() => inner.Set(key, value, options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        GuardAsync(() => inner.SetAsync(key, value, options, token));

    public void Refresh(string key) => Guard(() => inner.Refresh(key));

    public Task RefreshAsync(string key, CancellationToken token = default) => GuardAsync(() => inner.RefreshAsync(key, token));

    public void Remove(string key) => Guard(() => inner.Remove(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => GuardAsync(() => inner.RemoveAsync(key, token));

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "cache");
        }
    }

    private async Task GuardAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (RedisFailures.IsOutage(ex))
        {
            RedisFailures.Warn(logger, ex, "cache");
        }
    }
}
