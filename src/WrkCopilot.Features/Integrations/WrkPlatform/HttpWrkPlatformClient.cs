using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>
/// The WRK Platform over HTTP (docs/wrk-platform-api.md): a typed <see cref="HttpClient"/> whose handler chain times out each
/// attempt and retries transient failures with exponential backoff and jitter (see <see cref="WrkPlatformServices"/>). Every HTTP
/// outcome becomes a <see cref="PlatformResult{T}"/>: the caller decides what a refusal or an outage means for its flow, so
/// nothing is thrown for them; only the caller's own cancellation propagates.
/// </summary>
internal sealed class HttpWrkPlatformClient(HttpClient http, IOptions<WrkPlatformOptions> options, ILogger<HttpWrkPlatformClient> logger)
    : IWrkPlatformClient
{
    /// <summary>A <c>Retry-After</c> longer than this is not waited for inside one call: the caller retries later instead.</summary>
    public static readonly TimeSpan MaxRetryAfterWait = TimeSpan.FromSeconds(30);

    // Lenient on the way in: a platform that adds fields to its answers must not break us.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct) =>
        SendAsync<WorkflowBody, PlatformWorkflow>(HttpMethod.Post, "v1/workflows", new
        {
            external_ref = request.ExternalRef,
            tenant_ref = request.TenantRef,
            name = request.Name,
            blueprint = request.Blueprint,
        }, ToWorkflow, ct);

    public Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct) =>
        SendAsync<WorkflowBody, PlatformWorkflow>(HttpMethod.Put, WorkflowPath(workflowId), new { blueprint = request.Blueprint }, ToWorkflow, ct);

    public Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct) =>
        SendAsync<WorkflowBody, PlatformWorkflow>(HttpMethod.Post, WorkflowPath(workflowId) + "/activate", null, ToWorkflow, ct);

    public Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct) =>
        SendAsync<WorkflowBody, PlatformWorkflow>(HttpMethod.Post, WorkflowPath(workflowId) + "/deactivate", null, ToWorkflow, ct);

    public Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct)
    {
        var path = $"v1/usage-summary?from={from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&to={to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        if (!string.IsNullOrEmpty(cursor))
        {
            path += "&cursor=" + Uri.EscapeDataString(cursor);
        }
        return SendAsync<UsageBody, PlatformUsagePage>(HttpMethod.Get, path, null, ToUsagePage, ct);
    }

    /// <summary>What the retry strategy retries: connection failures, attempt timeouts, 408, 429 and 5xx (a 429/503 asking to wait too long excepted).</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransient(response.StatusCode) && !(RetryAfterOf(response) > MaxRetryAfterWait),
        _ => false,
    };

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string WorkflowPath(string workflowId) => "v1/workflows/" + Uri.EscapeDataString(workflowId);

    private async Task<PlatformResult<T>> SendAsync<TBody, T>(HttpMethod method, string path, object? body, Func<TBody, T?> map,
        CancellationToken ct) where TBody : class
    {
        if (http.BaseAddress is null)
        {
            return PlatformResult<T>.Unavailable("WrkPlatform:BaseUrl is not configured.");
        }
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // Bytes, not a stream: a retried attempt sends the same content again.
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (TimeoutRejectedException)
        {
            return Unavailable<T>(method, path, $"The WRK Platform did not answer within {options.Value.Timeout.TotalSeconds:0.###} s.", null, null);
        }
        catch (HttpRequestException ex)
        {
            return Unavailable<T>(method, path, $"The WRK Platform could not be reached: {ex.Message}", null, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Unavailable<T>(method, path, "The WRK Platform did not answer in time.", null, null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    if (JsonSerializer.Deserialize<TBody>(text, Json) is { } parsed && map(parsed) is { } value)
                    {
                        return PlatformResult<T>.Ok(value);
                    }
                }
                catch (JsonException)
                {
                    // falls through: an answer we cannot read is the platform's fault, and may be right next time
                }
                return Unavailable<T>(method, path, $"The WRK Platform answered {status} with a body that is not the documented shape.", status, null);
            }
            var (code, message) = ProblemOf(text, response);
            if (IsTransient(response.StatusCode))
            {
                return Unavailable<T>(method, path, $"The WRK Platform answered {status}: {message}", status, RetryAfterOf(response));
            }
            logger.LogWarning("WRK Platform refused {Method} {Path}: {Status} {Code} {Message}", method, path, status, code, message);
            return PlatformResult<T>.Rejected(status, code, message);
        }
    }

    private PlatformResult<T> Unavailable<T>(HttpMethod method, string path, string error, int? status, TimeSpan? retryAfter)
    {
        logger.LogWarning("WRK Platform unavailable for {Method} {Path}: {Error}", method, path, error);
        return PlatformResult<T>.Unavailable(error, status, retryAfter);
    }

    /// <summary>The platform's problem code and message (RFC 9457 <c>code</c>/<c>detail</c>/<c>title</c>), or the status line.</summary>
    private static (string? Code, string Message) ProblemOf(string text, HttpResponseMessage response)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = StringOf(doc.RootElement, "code");
                message = StringOf(doc.RootElement, "detail") ?? StringOf(doc.RootElement, "message") ?? StringOf(doc.RootElement, "title");
            }
        }
        catch (JsonException)
        {
            message = string.IsNullOrWhiteSpace(text) ? null : Kernel.TextLimits.Shorten(text.Trim(), 500, "…");
        }
        return (code, Kernel.TextLimits.Shorten(message ?? $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim(), 1000, "…"));
    }

    private static string? StringOf(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static PlatformWorkflow? ToWorkflow(WorkflowBody b) =>
        string.IsNullOrWhiteSpace(b.WorkflowId) ? null : new PlatformWorkflow(b.WorkflowId, b.Url, b.Status ?? "inactive");

    private static PlatformUsagePage? ToUsagePage(UsageBody b) => b.Items is null
        ? null
        : new PlatformUsagePage(b.Items.Where(i => !string.IsNullOrWhiteSpace(i.WorkflowId))
            .Select(i => new PlatformUsageRow(i.WorkflowId!, i.Date, i.RunCount, i.SuccessCount, i.FailureCount, i.Cost)).ToList(),
            string.IsNullOrEmpty(b.NextCursor) ? null : b.NextCursor);

    private sealed record WorkflowBody(string? WorkflowId, string? Url, string? Status);

    private sealed record UsageItem(string? WorkflowId, DateOnly Date, long RunCount, long SuccessCount, long FailureCount, decimal Cost);

    private sealed record UsageBody(List<UsageItem>? Items, string? NextCursor);
}
