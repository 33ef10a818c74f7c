using ErrorOr;
using Microsoft.Extensions.Logging;
using Npgsql;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow27_RunEventWebhook;

/// <summary>The signature headers of one delivery, as received.</summary>
internal sealed record WebhookHeaders(string? Id, string? Timestamp, string? Signature);

internal enum RunEventOutcome
{
    /// <summary>A new run, or a later status of a known one, committed.</summary>
    Accepted,

    /// <summary>A repeat (same delivery, or an older or equal status of a known run): nothing written.</summary>
    Duplicate,
}

/// <summary>
/// Flow 27, in the order flows.md fixes: signature (before anything is looked up, so ids cannot be probed), then the body, then
/// the binding through the <c>app_workflow_binding</c> SECURITY DEFINER lookup and the insert or advance of the run event in the
/// binding's tenant, in a transaction shared with the deliveries in flight (<see cref="RunEventCommitter"/>). Usage follows in
/// Flow 28 (a trigger queues the delta in the same transaction).
/// </summary>
internal sealed class RunEventWebhookHandler(RunEventCommitter committer, TenantContext tenant, WebhookSecretKeys secrets, TimeProvider clock,
    WrkMetrics metrics, ILogger<RunEventWebhookHandler> logger) : IHandler
{
    public async Task<ErrorOr<RunEventOutcome>> HandleAsync(WebhookHeaders headers, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var verification = WebhookSignatures.Verify(secrets.Keys, headers.Id, headers.Timestamp, headers.Signature, body.Span, clock.GetUtcNow());
        if (verification != WebhookVerification.Valid)
        {
            var (code, detail) = verification switch
            {
                WebhookVerification.MissingHeaders => ("missing_signature", "webhook-id, webhook-timestamp and webhook-signature are required."),
                WebhookVerification.TimestampOutOfWindow => ("stale_timestamp", "webhook-timestamp is more than 5 minutes away from now."),
                _ => ("bad_signature", "No signature matches the body."),
            };
            metrics.WebhookEvent(WebhookOutcome.Refused, code);
            return AppErrors.Unauthorized(detail, code);
        }

        var parsed = RunEventParser.Parse(body.Span);
        if (parsed.IsError)
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, "invalid_body");
            return parsed.Errors;
        }
        var payload = parsed.Value;

        CommittedRunEvent committed;
        try
        {
            committed = await committer.CommitAsync(payload, headers.Id!);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                               or PostgresErrorCodes.UniqueViolation)
        {
            // A race with another instance's batch on the same run: nothing was written; the platform's retry converges.
            metrics.WebhookEvent(WebhookOutcome.Refused, "concurrency_conflict");
            return AppErrors.ConcurrencyConflict();
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, "service_unavailable");
            return AppErrors.ServiceUnavailable("The event store is unavailable; nothing was written.", TimeSpan.FromSeconds(30));
        }
        if (ReferenceEquals(committed, CommittedRunEvent.Busy))
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, "service_unavailable");
            return AppErrors.ServiceUnavailable("Too many run events are waiting to be written; nothing was written.", TimeSpan.FromSeconds(5));
        }
        if (committed.TenantId is not { } tenantId)
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, "unknown_workflow");
            return AppErrors.NotFound("Workflow");
        }
        tenant.Set(tenantId);
        var outcome = committed.Written ? RunEventOutcome.Accepted : RunEventOutcome.Duplicate;
        metrics.WebhookEvent(outcome == RunEventOutcome.Accepted ? WebhookOutcome.Accepted : WebhookOutcome.Duplicate);
        logger.LogDebug("Run event {RunId} ({Status}) for binding {BindingId}: {Outcome}", payload.RunId, payload.Status, committed.BindingId, outcome);
        return outcome;
    }
}
