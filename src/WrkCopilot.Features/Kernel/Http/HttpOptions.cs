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

    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);
}
