using Coravel;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Kernel.Outbox;

public static class OutboxServices
{
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration config)
    {
        services.AddScheduler();
        services.AddQueue();
        services.AddTransient<OutboxDispatcher>();
        services.AddTransient<OutboxJobRunner>();
        services.AddTransient<OutboxCleanup>();
        services.AddTransient<Billing.BillingFinalisationJob>();
        foreach (var type in typeof(OutboxServices).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IJobHandler).IsAssignableFrom(t)))
        {
            services.AddScoped(typeof(IJobHandler), type);
        }
        return services;
    }

    /// <summary>Starts the schedule: outbox dispatch every second (unless disabled by configuration), clean-up hourly.</summary>
    public static WebApplication UseOutbox(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OutboxOptions>>().Value;
        app.Services.UseScheduler(s =>
        {
            if (options.DispatcherEnabled)
            {
                s.Schedule<OutboxDispatcher>().EverySecond().PreventOverlapping(nameof(OutboxDispatcher));
            }
            // Hourly, not daily: a daily tick is lost when no instance is up at that minute (deploys, scale to zero); the
            // deletes are idempotent and indexed, so repeating them costs nothing.
            s.Schedule<OutboxCleanup>().Hourly().PreventOverlapping(nameof(OutboxCleanup));
            s.Schedule<Events.StreamEventCleanup>().Hourly().PreventOverlapping(nameof(Events.StreamEventCleanup));
            // Flow 20: the 1st of the month, 02:00 UTC (Coravel's schedule is UTC), for the month before.
            s.Schedule<Billing.BillingFinalisationJob>().Cron(Billing.BillingFinalisationJob.Cron)
                .PreventOverlapping(nameof(Billing.BillingFinalisationJob));
        });
        return app;
    }
}
