using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Observability;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Fixed one-minute windows per API key, per tenant (JWT sessions) and per client IP (anonymous calls).
/// Buckets live in memory, or in Redis when <c>Redis:Connection</c> is set so that instances share them;
/// while Redis is unreachable each instance falls back to its own in-memory bucket (<see cref="FailOpenRateLimiter"/>).
/// </summary>
internal static class RateLimiting
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddWrkRateLimiting(this IServiceCollection services, IConfiguration config)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                if (!ctx.Request.Path.StartsWithSegments("/v1"))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }
                var options = ctx.RequestServices.GetRequiredService<IOptions<HttpOptions>>().Value;
                var session = ctx.RequestServices.GetRequiredService<CurrentSession>().Value;
                var own = ctx.GetEndpoint()?.Metadata.GetMetadata<OwnRateLimit>();
                var (key, limit) = session switch
                {
                    _ when own is not null => ($"rl:{own.Name}:{ctx.Connection.RemoteIpAddress}", options.WebhookRequestsPerMinute),
                    { ApiKeyId: { } keyId } => ($"rl:key:{keyId}", options.ApiKeyRequestsPerMinute),
                    { } s => ($"rl:tenant:{s.TenantId}", options.TenantRequestsPerMinute),
                    null => ($"rl:ip:{ctx.Connection.RemoteIpAddress}", options.AnonymousRequestsPerMinute),
                };
                var memory = new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                };
                var redis = ctx.RequestServices.GetService<IConnectionMultiplexer>();
                if (redis is null)
                {
                    return RateLimitPartition.GetFixedWindowLimiter(key, _ => memory);
                }
                var logger = ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FailOpenRateLimiter));
                return RateLimitPartition.Get(key, k => new FailOpenRateLimiter(
                    new RedisFixedWindowRateLimiter<string>(k, new RedisFixedWindowRateLimiterOptions
                    {
                        ConnectionMultiplexerFactory = () => redis,
                        PermitLimit = limit,
                        Window = Window,
                    }),
                    () => new FixedWindowRateLimiter(memory),
                    logger));
            });
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var ra) ? ra : Window;
                var refused = context.HttpContext.RequestServices;
                refused.GetService<WrkMetrics>()?.RateLimitRefusal(refused.GetRequiredService<CurrentSession>().Value switch
                {
                    { ApiKeyId: not null } => "api_key",
                    not null => "tenant",
                    null => "anonymous",
                });
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))).ToString();
                await Problem.WriteAsync(context.HttpContext, 429, "rate_limited", "Too many requests; retry after the number of seconds in Retry-After.");
            };
        });
        return services;
    }
}
