using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

public static class WrkPlatformServices
{
    public const string PipelineName = "wrk-platform";

    /// <summary>
    /// The WRK Platform client: <see cref="HttpWrkPlatformClient"/> against <c>WrkPlatform:BaseUrl</c>, or the in-process
    /// <see cref="SimulatedWrkPlatform"/> when <see cref="WrkPlatformOptions.IsSimulated"/> (chosen when resolved, from options).
    /// </summary>
    public static IServiceCollection AddWrkPlatform(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<SimulatorOptions>(config.GetSection(SimulatorOptions.Section));
        // What the build (the platform's first consumer) leaves for QA once the workflow exists.
        services.Configure<Kernel.Builds.BuildChecklistOptions>(config.GetSection(Kernel.Builds.BuildChecklistOptions.Section));

        services.AddHttpClient<HttpWrkPlatformClient>((sp, c) =>
            {
                var o = sp.GetRequiredService<IOptions<WrkPlatformOptions>>().Value;
                if (!string.IsNullOrWhiteSpace(o.BaseUrl))
                {
                    c.BaseAddress = new Uri(o.BaseUrl.TrimEnd('/') + "/");
                }
                if (!string.IsNullOrWhiteSpace(o.Token))
                {
                    c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.Token);
                }
                // Each attempt has its own timeout in the pipeline below; this one only must not cut the retries short.
                c.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                c.MaxResponseContentBufferSize = 16 * 1024 * 1024;
            })
            .AddResilienceHandler(PipelineName, (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<WrkPlatformOptions>>().Value;
                if (o.Retries > 0)
                {
                    // Outer: retries transient outcomes with exponential backoff and jitter, or waits what Retry-After asks.
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.Retries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = o.RetryDelay,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(HttpWrkPlatformClient.IsTransient(args.Outcome)),
                    });
                }
                // Inner: one attempt's timeout, so a hung attempt is retried rather than ending the call.
                pipeline.AddTimeout(o.Timeout);
            });

        services.AddHttpClient(HttpRunEventSender.ClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<IRunEventSender, HttpRunEventSender>();
        services.AddSingleton<SimulatedWrkPlatform>();
        services.AddHostedService<SimulatorRunSchedule>();
        services.AddTransient<IWrkPlatformClient>(sp => sp.GetRequiredService<IOptions<WrkPlatformOptions>>().Value.IsSimulated
            ? sp.GetRequiredService<SimulatedWrkPlatform>()
            : sp.GetRequiredService<HttpWrkPlatformClient>());
        return services;
    }
}
