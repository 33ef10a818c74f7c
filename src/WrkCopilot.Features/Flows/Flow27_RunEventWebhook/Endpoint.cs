using FastEndpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Observability;

namespace WrkCopilot.Features.Flows.Flow27_RunEventWebhook;

/// <summary>
/// Flow 27: <c>POST /v1/webhooks/wrk-run-event</c>. No JWT: the Standard Webhooks signature is the credential. The body is read
/// raw (the signature covers its exact bytes), at most 64 KB, and answered 204 only once the event is committed.
/// </summary>
internal sealed class RunEventWebhookEndpoint(RunEventWebhookHandler handler, WrkMetrics metrics) : EndpointWithoutRequest
{
    public const int MaxBodyBytes = 64 * 1024;

    public override void Configure()
    {
        Post("/v1/webhooks/wrk-run-event");
        AllowAnonymous();
        Options(b => b
            .WithMetadata(new RequestBodyLimit(MaxBodyBytes))
            .WithMetadata(new OwnRateLimit("webhook"))
            .WithMetadata(new SignedWebhook())
            .Accepts<RunEventBody>("application/json"));
        Summary(s =>
        {
            s.Summary = "Flow 27 — a run event from the WRK Platform, signed per Standard Webhooks v1 (webhook-id, webhook-timestamp, webhook-signature).";
            s.Description = "Signed content: `{webhook-id}.{webhook-timestamp}.{raw body}`, HMAC-SHA256 with any configured `whsec_` secret; " +
                            "timestamp within ±5 minutes. Idempotent on (workflow, run_id) and on webhook-id; a final status is never overwritten.";
            s.Responses[204] = "Accepted, or a duplicate (nothing written). Sent after the commit.";
            s.Responses[400] = "Malformed JSON, a missing field, an unknown status, completed_at before started_at (errors by JSON path).";
            s.Responses[401] = "Missing or bad signature, or a timestamp outside ±5 minutes (nothing was looked up).";
            s.Responses[404] = "No binding for workflow_id.";
            s.Responses[409] = "A race with another instance writing the same run (concurrency_conflict): nothing written; retry.";
            s.Responses[413] = "Body larger than 64 KB.";
            s.Responses[503] = "The event store is unavailable or too many events are waiting to be written (service_unavailable, Retry-After): nothing written; retry.";
        });
        Description(b => b
            .Produces(204)
            .Produces(400, typeof(ProblemBody), Problem.ContentType)
            .Produces(401, typeof(ProblemBody), Problem.ContentType)
            .Produces(404, typeof(ProblemBody), Problem.ContentType)
            .Produces(409, typeof(ProblemBody), Problem.ContentType)
            .Produces(413, typeof(ProblemBody), Problem.ContentType)
            .Produces(503, typeof(ProblemBody), Problem.ContentType), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var body = await ReadBoundedAsync(HttpContext.Request.Body, MaxBodyBytes, ct);
        if (body is null)
        {
            // Content-Length beyond the limit is refused by RequestBodyLimitMiddleware; this catches chunked bodies and hosts
            // (TestServer) that do not enforce the size feature.
            metrics.WebhookEvent(WebhookOutcome.Refused, "payload_too_large");
            await Problem.WriteAsync(HttpContext, 413, "payload_too_large", $"The body is larger than {MaxBodyBytes:N0} bytes.");
            return;
        }
        var h = HttpContext.Request.Headers;
        var result = await handler.HandleAsync(
            new WebhookHeaders(h[Integrations.WrkPlatform.WebhookSignatures.IdHeader].FirstOrDefault(),
                h[Integrations.WrkPlatform.WebhookSignatures.TimestampHeader].FirstOrDefault(),
                h[Integrations.WrkPlatform.WebhookSignatures.SignatureHeader].FirstOrDefault()),
            body.Value, ct);
        if (result.IsError)
        {
            await Problem.WriteAsync(HttpContext, result.Errors);
            return;
        }
        await Send.NoContentAsync(CancellationToken.None);
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (at most limit + 1 bytes are read).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = new byte[limit + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(total), ct);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total > limit ? null : buffer.AsMemory(0, total);
    }
}
