using System.Threading.RateLimiting;
using Coravel;
using FastEndpoints;
using FastEndpoints.Swagger;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Caching;
using WrkCopilot.Features.Kernel.Events;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Hosting;

/// <summary>Marker for flow handlers and other per-unit-of-work services: registered scoped by assembly scan.</summary>
public interface IHandler;

public static class WrkCopilotServices
{
    public static IServiceCollection AddWrkCopilot(this IServiceCollection services, IConfiguration config)
    {
        // A failed rule stops its chain: later checks (e.g. .Must on a list) never see the null that NotEmpty refused.
        FluentValidation.ValidatorOptions.Global.DefaultRuleLevelCascadeMode = FluentValidation.CascadeMode.Stop;
        services.Configure<AuthOptions>(config.GetSection(AuthOptions.Section));
        services.Configure<HttpOptions>(config.GetSection(HttpOptions.Section));
        services.AddOptions<Pricing.PricingOptions>().Bind(config.GetSection(Pricing.PricingOptions.Section))
            .Validate(Pricing.PricingOptions.IsValid, Pricing.PricingOptions.Rules).ValidateOnStart();
        services.AddOptions<Integrations.WrkPlatform.WrkPlatformOptions>().Bind(config.GetSection(Integrations.WrkPlatform.WrkPlatformOptions.Section))
            .Validate<Microsoft.Extensions.Hosting.IHostEnvironment>(Integrations.WrkPlatform.WrkPlatformOptions.IsAllowedIn,
                Integrations.WrkPlatform.WrkPlatformOptions.ProductionRule)
            .ValidateOnStart();
        services.AddSingleton<Integrations.WrkPlatform.WebhookSecretKeys>();
        services.AddOptions<LifecycleOptions>().Bind(config.GetSection(LifecycleOptions.Section))
            .Validate<IOptions<Integrations.WrkPlatform.WrkPlatformOptions>>(LifecycleOptions.IsValid, LifecycleOptions.Rules)
            .ValidateOnStart();
        services.Configure<OutboxOptions>(config.GetSection(OutboxOptions.Section));
        services.Configure<Integrations.Mail.MailOptions>(config.GetSection(Integrations.Mail.MailOptions.Section));
        services.AddSingleton<Integrations.Mail.IMailSender, Integrations.Mail.SmtpMailSender>();
        services.AddHttpClient<Integrations.Slack.SlackWebhookClient>(c => c.Timeout = Integrations.Slack.SlackWebhookClient.Timeout);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();

        // Data: the app connects as a role without BYPASSRLS; the interceptor sets the tenant per transaction.
        var connectionString = config.GetConnectionString("Default")
            ?? throw new InvalidOperationException("ConnectionStrings:Default is not configured.");
        // The name labels the pool's metrics (db_client_connection_*) instead of the connection string.
        services.AddSingleton(new NpgsqlDataSourceBuilder(connectionString) { Name = "wrk-app" }.Build());
        services.AddSingleton<TenantTransactionInterceptor>();
        services.AddHostedService<DatabaseRoleGuard>();
        services.AddHostedService<StartupChecks>();
        services.AddDbContext<AppDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), n => n.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(sp.GetRequiredService<TenantTransactionInterceptor>(), sp.GetRequiredService<StreamEventInterceptor>()));
        services.AddScoped<TenantContext>();
        services.AddScoped<CurrentSession>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<OutboxWriter>();
        services.AddLifecycleHooks();

        // Hot metadata and rate-limit buckets: in memory, or Redis when Redis:Connection is set.
        var redis = config["Redis:Connection"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            // Fails open: a Redis down at boot or later degrades to per-instance memory (see RedisFailures).
            var multiplexer = ConnectionMultiplexer.Connect(RedisFailures.Options(redis, config.GetValue<int?>("Redis:TimeoutMs")));
            services.AddSingleton<IConnectionMultiplexer>(multiplexer);
            services.AddSingleton<IDistributedCache>(sp => new FailOpenDistributedCache(
                new RedisCache(Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
                })),
                sp.GetRequiredService<ILogger<FailOpenDistributedCache>>()));
            services.AddSingleton<MemoryLoginThrottle>();
            services.AddSingleton<ILoginThrottle, RedisLoginThrottle>();
        }
        else
        {
            services.AddSingleton<ILoginThrottle, MemoryLoginThrottle>();
        }
        services.AddMemoryCache();
        services.AddHybridCache();

        // Identity: one bearer scheme (API key, our JWT, external IdP JWT); access declared per endpoint.
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<DerivedTokens>();
        services.AddSingleton<ExternalTokenValidator>();
        services.AddSingleton<PasswordHasher>();
        services.AddScoped<SessionDirectory>();
        services.AddHttpClient(ExternalTokenValidator.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddAuthentication(WrkAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, WrkAuthenticationHandler>(WrkAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddScoped<IAuthorizationHandler, AccessRequirementHandler>();
        services.AddScoped<IAuthorizationHandler, AnyUserRequirementHandler>();

        services.AddWrkRateLimiting(config);
        services.AddWrkCors(config);

        // Handlers and jobs: every IHandler in this assembly, scoped.
        foreach (var type in typeof(WrkCopilotServices).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IHandler).IsAssignableFrom(t)))
        {
            services.AddScoped(type);
        }

        services.AddOutbox(config);
        services.AddWrkObservability(config);
        services.AddEventStream(config);
        Integrations.Requirements.RequirementsServices.AddRequirementsIngestion(services, config);
        Integrations.WrkPlatform.WrkPlatformServices.AddWrkPlatform(services, config);

        // Endpoints:AdditionalAssemblies (assembly names) is a test seam: the test project's own endpoints,
        // e.g. an idempotent creating POST, since no production creating endpoint of the core flows takes Idempotency-Key.
        var extraEndpointAssemblies = (config.GetSection("Endpoints:AdditionalAssemblies").Get<string[]>() ?? [])
            .Select(name => System.Reflection.Assembly.Load(name));
        services.AddFastEndpoints(o => o.Assemblies = [typeof(WrkCopilotServices).Assembly, .. extraEndpointAssemblies]);
        services.SwaggerDocument(o =>
        {
            o.DocumentSettings = s =>
            {
                s.Title = "WRK Copilot API";
                s.Version = "v1";
                s.DocumentName = "v1";
                s.OperationProcessors.Add(new OpenApiAccessOperationProcessor(
                    config.GetSection(HttpOptions.Section).Get<HttpOptions>()?.MaxRequestBodyBytes ?? new HttpOptions().MaxRequestBodyBytes));
                s.OperationProcessors.Add(new MultipartUploadOperationProcessor());
                s.DocumentProcessors.Add(new OpenApiLimitsDocumentProcessor());
            };
            o.ShortSchemaNames = true;
            o.EnableJWTBearerAuth = true;
            o.AutoTagPathSegmentIndex = 2;
        });

        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        return services;
    }

    public static WebApplication UseWrkCopilot(this WebApplication app)
    {
        // First: everything after (request logs, rate limiter) must see the client's IP, not the proxy's.
        app.UseWrkForwardedHeaders();
        app.UseMiddleware<RequestContextMiddleware>();
        app.UseMiddleware<UnhandledErrorMiddleware>();
        // Framework answers with an empty body (unknown route, wrong method, …) become problem+json too.
        app.UseStatusCodePages(ctx => Errors.Problem.WriteAsync(ctx.HttpContext, ctx.HttpContext.Response.StatusCode,
            Errors.Problem.CodeFor(ctx.HttpContext.Response.StatusCode), Errors.Problem.TitleFor(ctx.HttpContext.Response.StatusCode)));
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseWrkObservability();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<EmptyBodyAsJsonMiddleware>();
        app.UseCors(CorsSetup.PolicyName);
        app.UseAuthentication();
        app.UseMiddleware<SessionLogScopeMiddleware>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<ApiKeyScopeMiddleware>();
        app.UseMiddleware<JsonBodyContentTypeMiddleware>();
        app.UseMiddleware<QueryTextMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseFastEndpoints(c =>
        {
            JsonDefaults.Configure(c.Serializer.Options);
            c.Endpoints.ShortNames = false;
            c.Endpoints.Configurator = OpenApiConventions.Apply;
            c.Errors.ContentType = Errors.Problem.ContentType;
            c.Errors.ProducesMetadataType = typeof(Errors.ProblemBody);
            c.Errors.ResponseBuilder = ValidationProblems.Build;
            c.Binding.JsonExceptionTransformer = ValidationProblems.FromJsonException;
        });
        app.UseSwaggerGen(uiConfig: u => u.Path = "/swagger");
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>Ready when the database answers and no migration is pending.</summary>
internal sealed class DatabaseReadyCheck(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = await db.Database.GetPendingMigrationsAsync(cancellationToken);
            return pending.Any()
                ? HealthCheckResult.Unhealthy($"Migrations pending: {string.Join(", ", pending)}")
                : HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable", ex);
        }
    }
}
