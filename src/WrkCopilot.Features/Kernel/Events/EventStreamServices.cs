using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace WrkCopilot.Features.Kernel.Events;

public static class EventStreamServices
{
    public static IServiceCollection AddEventStream(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<EventStreamOptions>(config.GetSection(EventStreamOptions.Section));
        services.AddSingleton<StreamHub>();
        services.AddSingleton<StreamEventInterceptor>();
        services.AddHostedService<StreamEventListener>();
        services.AddTransient<StreamEventCleanup>();
        return services;
    }
}
