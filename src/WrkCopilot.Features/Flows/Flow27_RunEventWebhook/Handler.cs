using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Data;
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
/// the binding through the <c>app_workflow_binding</c> SECURITY DEFINER lookup, then one transaction in the binding's tenant that
/// inserts or advances the run event. Usage follows in Flow 28 (a trigger queues the delta in the same transaction).
/// </summary>
internal sealed class RunEventWebhookHandler(AppDbContext db, TenantContext tenant, WebhookSecretKeys secrets, TimeProvider clock,
    WrkMetrics metrics, ILogger<RunEventWebhookHandler> logger) : IHandler
{
    private sealed record BindingRow(Guid TenantId, Guid BindingId, Guid AutomationVersionId);

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

        var binding = (await db.Database
            .SqlQuery<BindingRow>($"SELECT tenant_id, binding_id, automation_version_id FROM app_workflow_binding({payload.WorkflowId})")
            .ToListAsync(ct)).FirstOrDefault();
        if (binding is null)
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, "unknown_workflow");
            return AppErrors.NotFound("Workflow");
        }

        tenant.Set(binding.TenantId);
        var result = await UnitOfWork.RunAsync(db, async () =>
        {
            await db.ApplyTenantAsync(ct);
            return (ErrorOr<bool>)await UpsertAsync(binding, payload, headers.Id!, ct);
        }, ct);
        if (result.IsError)
        {
            metrics.WebhookEvent(WebhookOutcome.Refused, result.FirstError.Code);
            return result.Errors;
        }
        var outcome = result.Value ? RunEventOutcome.Accepted : RunEventOutcome.Duplicate;
        metrics.WebhookEvent(outcome == RunEventOutcome.Accepted ? WebhookOutcome.Accepted : WebhookOutcome.Duplicate);
        logger.LogDebug("Run event {RunId} ({Status}) for binding {BindingId}: {Outcome}", payload.RunId, payload.Status, binding.BindingId, outcome);
        return outcome;
    }

    /// <summary>
    /// One statement, atomic under concurrent deliveries of the same run: a new run is inserted; a known one is updated only
    /// from <c>running</c> to a final status. A final status is never overwritten (by an older <c>running</c> or by another
    /// final one), and a repeat changes nothing. True when a row was written.
    /// </summary>
    private async Task<bool> UpsertAsync(BindingRow binding, RunEventPayload p, string webhookId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var cmd = db.Command("""
            INSERT INTO run_events AS r (id, tenant_id, workflow_binding_id, automation_version_id, run_id, status, started_at,
                completed_at, error_message, cost, metadata_json, webhook_id, created_at, updated_at)
            VALUES (@id, @tenant, @binding, @version, @run, @status, @started, @completed, @error, @cost, @metadata::jsonb, @webhook, @now, @now)
            ON CONFLICT (workflow_binding_id, run_id) DO UPDATE SET
                status = EXCLUDED.status, started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
                error_message = EXCLUDED.error_message, cost = EXCLUDED.cost, metadata_json = EXCLUDED.metadata_json,
                webhook_id = EXCLUDED.webhook_id, updated_at = EXCLUDED.updated_at
            WHERE r.status = 'running' AND EXCLUDED.status <> 'running' AND r.webhook_id IS DISTINCT FROM EXCLUDED.webhook_id
            RETURNING r.id
            """,
            ("id", Guid.CreateVersion7()), ("tenant", binding.TenantId), ("binding", binding.BindingId), ("version", binding.AutomationVersionId),
            ("run", p.RunId), ("status", p.Status), ("started", p.StartedAt), ("completed", p.CompletedAt), ("error", p.ErrorMessage),
            ("cost", p.Cost), ("metadata", p.MetadataJson), ("webhook", webhookId), ("now", now));
        return await cmd.ExecuteScalarAsync(ct) is Guid;
    }
}
