using ErrorOr;

namespace WrkCopilot.Features.Kernel.Errors;

/// <summary>
/// The one place that names error codes. Every error carries the HTTP status it maps to
/// (ErrorOr's numeric type for custom statuses), a stable snake_case code and a detail.
/// </summary>
public static class AppErrors
{
    public const string PathKey = "path";

    public static Error Validation(string jsonPath, string message) =>
        Error.Validation("validation_failed", message, new Dictionary<string, object> { [PathKey] = jsonPath });

    public static Error NotFound(string what) => Error.NotFound("not_found", $"{what} was not found.");

    public static Error Forbidden(string detail = "Your role or key may not do this.", string code = "forbidden") => Error.Forbidden(code, detail);

    public static Error Unauthorized(string detail = "Missing or invalid credentials.", string code = "unauthorized") =>
        Error.Unauthorized(code, detail);

    public static Error Conflict(string code, string detail, Dictionary<string, object>? metadata = null) =>
        Error.Conflict(code, detail, metadata);

    public static Error Gone(string code, string detail) => Error.Custom(410, code, detail);

    public static Error PreconditionFailed(string detail) => Error.Custom(412, "precondition_failed", detail);

    public static Error PayloadTooLarge(string detail, Dictionary<string, object>? metadata = null) =>
        Error.Custom(413, "payload_too_large", detail, metadata);

    public static Error UnsupportedMediaType(string detail, Dictionary<string, object>? metadata = null) =>
        Error.Custom(415, "unsupported_media_type", detail, metadata);

    public static Error PreconditionRequired(string detail) => Error.Custom(428, "precondition_required", detail);

    public static Error TooManyRequests(string code, string detail, TimeSpan retryAfter) =>
        Error.Custom(429, code, detail, new Dictionary<string, object> { ["retry_after"] = (int)Math.Ceiling(retryAfter.TotalSeconds) });

    /// <summary>503: the WRK Platform is down or timed out; nothing changed and the same request may be retried after <paramref name="retryAfter"/>.</summary>
    public static Error PlatformUnavailable(string detail, TimeSpan retryAfter) =>
        Error.Custom(503, "platform_unavailable", detail,
            new Dictionary<string, object> { ["retry_after"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) });

    /// <summary>503: this service cannot take the request now (its database, or a full queue); retry after <paramref name="retryAfter"/>.</summary>
    public static Error ServiceUnavailable(string detail, TimeSpan retryAfter) =>
        Error.Custom(503, "service_unavailable", detail,
            new Dictionary<string, object> { ["retry_after"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) });

    /// <summary>409: the WRK Platform refused the call (a 4xx); retrying the same request cannot help. Nothing changed here.</summary>
    public static Error PlatformRejected(string detail, Dictionary<string, object> metadata) =>
        Error.Conflict("platform_rejected", detail, metadata);

    public static Error ConcurrencyConflict() =>
        Error.Conflict("concurrency_conflict", "The resource was changed by another request; reload and retry.");

    public static int StatusOf(Error error) => error.Type switch
    {
        ErrorType.Validation => 400,
        ErrorType.Unauthorized => 401,
        ErrorType.Forbidden => 403,
        ErrorType.NotFound => 404,
        ErrorType.Conflict => 409,
        ErrorType.Failure => 400,
        ErrorType.Unexpected => 500,
        _ => error.NumericType is >= 400 and < 600 ? error.NumericType : 500,
    };
}
