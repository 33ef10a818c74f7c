using Coravel;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Flows.Flow28_UsageAggregation;

/// <summary>Flow 28's schedule: aggregation every few seconds, usage sync every 5 minutes, threshold evaluation every minute.</summary>
public static class UsageSchedules
{
    public static WebApplication UseUsageSchedules(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<UsageOptions>>().Value;
        if (!options.SchedulesEnabled)
        {
            return app;
        }
        app.Services.UseScheduler(s =>
        {
            s.Schedule<UsageAggregator>().EverySeconds(Math.Clamp(options.DrainEverySeconds, 1, 59)).PreventOverlapping(nameof(UsageAggregator));
            s.Schedule<UsageSync>().EveryFiveMinutes().PreventOverlapping(nameof(UsageSync));
            s.Schedule<ThresholdEvaluator>().EveryMinute().PreventOverlapping(nameof(ThresholdEvaluator));
        });
        return app;
    }
}

public static class UsageServices
{
    public static IServiceCollection AddUsageAggregation(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration config) =>
        services.Configure<UsageOptions>(config.GetSection(UsageOptions.Section));
}
