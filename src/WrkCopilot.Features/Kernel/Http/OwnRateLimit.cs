namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Endpoint metadata: the endpoint has its own per-IP rate-limit bucket of <see cref="HttpOptions.WebhookRequestsPerMinute"/>
/// instead of the anonymous one. For machine callers (the WRK Platform's run-event webhook) that authenticate by signature and
/// legitimately send far more than a person signing in would.
/// </summary>
public sealed record OwnRateLimit(string Name);
