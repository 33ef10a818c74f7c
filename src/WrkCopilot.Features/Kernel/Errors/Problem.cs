using FastEndpoints;
using System.Text.Json;
using System.Text.Json.Serialization;
using ErrorOr;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Errors;

/// <summary>RFC 9457 problem details with our <c>code</c>, <c>errors</c> (JSON path → messages) and <c>request_id</c>.</summary>
public sealed class ProblemBody
{
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public required string Code { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string[]>? Errors { get; init; }
    public string? RequestId { get; init; }
    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; init; }
}

public static class Problem
{
    public const string ContentType = "application/problem+json";

    public static ProblemBody Create(HttpContext ctx, int status, string code, string? detail,
        Dictionary<string, string[]>? errors = null, Dictionary<string, object?>? extensions = null) => new()
    {
        Type = $"https://docs.wrkcopilot.com/errors/{code}",
        Title = TitleFor(status),
        Status = status,
        Detail = detail,
        Code = code,
        Errors = errors,
        RequestId = RequestIds.Get(ctx),
        Extensions = extensions is { Count: > 0 } ? extensions : null,
    };

    public static async Task WriteAsync(HttpContext ctx, int status, string code, string? detail,
        Dictionary<string, string[]>? errors = null, Dictionary<string, object?>? extensions = null)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ContentType;
        // A buffered response (the idempotency middleware) never "starts"; without this mark FastEndpoints would think
        // nothing was sent and turn the problem into a 204.
        ctx.MarkResponseStart();
        var body = Create(ctx, status, code, detail, errors, extensions);
        await JsonSerializer.SerializeAsync(ctx.Response.Body, body, JsonDefaults.Options, ctx.RequestAborted);
    }

    /// <summary>Maps an <see cref="ErrorOr"/> error list to one problem response (validation errors are merged).</summary>
    public static Task WriteAsync(HttpContext ctx, IReadOnlyList<Error> errors)
    {
        var first = errors[0];
        var status = AppErrors.StatusOf(first);
        if (first.Type == ErrorType.Validation)
        {
            var byPath = errors
                .Where(e => e.Type == ErrorType.Validation)
                .GroupBy(e => e.Metadata?.GetValueOrDefault(AppErrors.PathKey) as string ?? "$")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
            return WriteAsync(ctx, 400, "validation_failed", "One or more fields are invalid.", byPath);
        }
        Dictionary<string, object?>? ext = null;
        if (first.Metadata is { Count: > 0 } meta)
        {
            ext = meta.Where(kv => kv.Key != "retry_after").ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
            if (meta.TryGetValue("retry_after", out var retry))
            {
                ctx.Response.Headers.RetryAfter = retry.ToString();
            }
        }
        if (status == 503 && !ctx.Response.Headers.ContainsKey("Retry-After"))
        {
            ctx.Response.Headers.RetryAfter = "30";
        }
        return WriteAsync(ctx, status, first.Code, first.Description, extensions: ext);
    }

    /// <summary>The code for a bare status the framework produced (no handler chose one).</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        _ => status >= 500 ? "internal_error" : "error",
    };

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => status >= 500 ? "Internal Server Error" : "Error",
    };
}
