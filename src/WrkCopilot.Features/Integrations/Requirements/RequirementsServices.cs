using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Integrations.FileStore;

namespace WrkCopilot.Features.Integrations.Requirements;

internal static class RequirementsServices
{
    /// <summary>The file store (PostgreSQL), text reading and both requirements extractors (the LLM one as a typed HttpClient).</summary>
    public static IServiceCollection AddRequirementsIngestion(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<LlmOptions>(config.GetSection(LlmOptions.Section));
        services.AddScoped<IFileStore, PostgresFileStore>();
        services.AddSingleton<RequirementsTextReader>();
        services.AddSingleton<OfflineRequirementsExtractor>();
        services.AddHttpClient<LlmRequirementsExtractor>((sp, c) =>
        {
            var o = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            if (o.IsConfigured)
            {
                c.BaseAddress = new Uri(o.BaseUrl!.TrimEnd('/') + "/");
            }
            c.Timeout = o.Timeout;
            // An answer is a blueprint of at most 1 MB (plus the chat envelope): never buffer more.
            c.MaxResponseContentBufferSize = 4 * 1024 * 1024;
            if (!string.IsNullOrWhiteSpace(o.ApiKey))
            {
                c.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", o.ApiKey);
            }
        });
        return services;
    }
}
