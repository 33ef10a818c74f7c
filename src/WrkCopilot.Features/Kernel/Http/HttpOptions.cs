namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Configuration section <c>Http</c>.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>Origins allowed by CORS (exact match). Empty: no cross-origin access.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Requests per minute per tenant (JWT sessions).</summary>
    public int TenantRequestsPerMinute { get; set; } = 1200;

    /// <summary>Requests per minute per API key.</summary>
    public int ApiKeyRequestsPerMinute { get; set; } = 600;

    /// <summary>Requests per minute per client IP for anonymous endpoints (signup, login, …).</summary>
    public int AnonymousRequestsPerMinute { get; set; } = 120;

    /// <summary>Requests per minute per client IP for signed machine callers (<see cref="OwnRateLimit"/>: the run-event webhook).</summary>
    public int WebhookRequestsPerMinute { get; set; } = 12000;

    /// <summary>Reverse proxies whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed (see <see cref="ForwardedHeadersSetup"/>).</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The largest request body an endpoint reads unless it declares its own <see cref="RequestBodyLimit"/>.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

public sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy IPs, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}
