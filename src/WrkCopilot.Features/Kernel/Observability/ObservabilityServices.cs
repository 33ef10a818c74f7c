using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Kernel.Observability;

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core, HttpClient, Npgsql, the .NET runtime and our <see cref="WrkMetrics"/>;
/// a Prometheus scrape endpoint at <c>/metrics</c> (closed unless configured, ADR 0008) and an OTLP exporter when
/// <c>OpenTelemetry:Endpoint</c> is set.
/// </summary>
public static class ObservabilityServices
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddWrkObservability(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection(ObservabilityOptions.Section);
        var token = section[nameof(ObservabilityOptions.MetricsToken)];
        if (!string.IsNullOrEmpty(token) && token.Length < ObservabilityOptions.MinimumTokenLength)
        {
            throw new InvalidOperationException(
                $"Observability:MetricsToken must be at least {ObservabilityOptions.MinimumTokenLength} characters.");
        }
        services.Configure<ObservabilityOptions>(section);
        services.AddSingleton<OutboxBacklog>();
        services.AddSingleton<WrkMetrics>();

        // Our meter is taken from this host's own IMeterFactory only (MeterScope.Local): another host in the same
        // process (tests run several) has its own meter of the same name, which this host must not export.
        services.AddMetrics(m => m.EnableMetrics(WrkMetrics.MeterName, null, null, MeterScope.Local));

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OpenTelemetry:ServiceName"] is { Length: > 0 } name ? name : "wrk-copilot"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsPlumbing(ctx.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(OutboxJobRunner.Activities.Name));

        // After OpenTelemetry's own hosted service, so that its meter provider listens when our series are created.
        services.AddHostedService<MetricsStartup>();

        if (config["OpenTelemetry:Endpoint"] is { Length: > 0 } endpoint)
        {
            var protocol = string.Equals(config["OpenTelemetry:Protocol"], "http/protobuf", StringComparison.OrdinalIgnoreCase)
                ? OtlpExportProtocol.HttpProtobuf
                : OtlpExportProtocol.Grpc;
            otel.UseOtlpExporter(protocol, new Uri(endpoint));
        }
        return services;
    }

    /// <summary>
    /// Serves <c>/metrics</c> when allowed by <see cref="ObservabilityOptions"/>; any other case falls through to the
    /// ordinary 404. Call early, before authentication: a scraper's token is not a user credential.
    /// </summary>
    public static WebApplication UseWrkObservability(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        var token = string.IsNullOrEmpty(options.MetricsToken) ? null : options.MetricsToken;
        var port = options.MetricsPort;
        if (token is null && port is null)
        {
            return app;
        }
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: ctx => ctx.Request.Path == MetricsPath && (port is null || ctx.Connection.LocalPort == port),
            path: null,
            configureBranchedPipeline: branch => branch.Use(async (ctx, next) =>
            {
                if (token is not null && !HasToken(ctx.Request, token))
                {
                    ctx.Response.Headers.WWWAuthenticate = "Bearer";
                    await Problem.WriteAsync(ctx, 401, "unauthorized", "A valid metrics token is required.");
                    return;
                }
                await next(ctx);
            }),
            optionsName: null);
        return app;
    }

    private static bool HasToken(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && Secrets.FixedTimeEquals(header["Bearer ".Length..].Trim(), token);
    }

    // Scrapes and probes would otherwise be most of the traces.
    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");
}

/// <summary>Creates our instruments at start-up rather than at the first job run, and their zero-valued series.</summary>
internal sealed class MetricsStartup(WrkMetrics metrics) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Initialize();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
