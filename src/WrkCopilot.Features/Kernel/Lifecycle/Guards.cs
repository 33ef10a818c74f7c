using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// T1: the blueprint has at least one step. Only that: the full schema validation belongs to the
/// blueprint writer (Flow 10), which refuses an invalid document before it is ever stored.
/// </summary>
internal sealed class BlueprintHasStepGuard : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.BlueprintHasStep;

    public Task<string?> CheckAsync(TransitionContext context, CancellationToken ct) =>
        Task.FromResult(HasStep(context.Version.BlueprintJson.RootElement)
            ? null
            : "The blueprint has no step yet; add at least one step before submitting it for pricing.");

    internal static bool HasStep(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object &&
        root.TryGetProperty("sections", out var sections) && sections.ValueKind == JsonValueKind.Array &&
        sections.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object &&
            s.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array && steps.GetArrayLength() > 0);
}

/// <summary>
/// T2: a draft quote that has been priced (a unit price and an estimated volume; a setup fee may be zero), for the blueprint as
/// it is now: the client may still edit it in needs_pricing, and a quote must never be sent for a blueprint nobody priced.
/// </summary>
internal sealed class DraftQuotePricedGuard(AppDbContext db) : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.DraftQuotePriced;

    public async Task<string?> CheckAsync(TransitionContext context, CancellationToken ct)
    {
        var draft = await db.Quotes.AsNoTracking()
            .Where(q => q.AutomationVersionId == context.Version.Id && q.Status == "draft" &&
                        q.SetupFee >= 0 && q.UnitPrice > 0 && q.EstimatedVolume > 0)
            .Select(q => new { q.BlueprintSha256 }).FirstOrDefaultAsync(ct);
        if (draft is null)
        {
            return "The version has no draft quote with a setup fee, a unit price and an estimated volume.";
        }
        var blueprint = context.Version.BlueprintJson.RootElement;
        if (!BlueprintHasStepGuard.HasStep(blueprint))
        {
            return "The blueprint has no step any more; there is nothing to price.";
        }
        return draft.BlueprintSha256 == Quotes.QuoteSignature.BlueprintSha256(blueprint)
            ? null
            : "The blueprint changed since this quote was priced; adjust the quote (PATCH /v1/quotes/{id}) to price the blueprint as it is now, then send it.";
    }
}

/// <summary>T3, T4: the client answers a quote that was sent; signing it (T3) also needs it not expired (rejecting an expired one is fine).</summary>
internal sealed class QuoteSentGuard(AppDbContext db, TimeProvider clock) : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.QuoteSent;

    public async Task<string?> CheckAsync(TransitionContext context, CancellationToken ct)
    {
        var sent = await db.Quotes.AsNoTracking().Where(q => q.AutomationVersionId == context.Version.Id && q.Status == "sent")
            .OrderByDescending(q => q.SentAt).Select(q => new { q.ExpiresAt }).FirstOrDefaultAsync(ct);
        if (sent is null)
        {
            return "The version has no sent quote to answer.";
        }
        return context.Decision.To == Data.Entities.VersionStatuses.BuildInProgress && sent.ExpiresAt is { } expires && expires <= clock.GetUtcNow()
            ? $"The quote expired at {expires:O}; reject it to get a new one."
            : null;
    }
}

/// <summary>T8: launching needs a signed quote.</summary>
internal sealed class QuoteSignedGuard(AppDbContext db) : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.QuoteSigned;

    public async Task<string?> CheckAsync(TransitionContext context, CancellationToken ct) =>
        await db.Quotes.AnyAsync(q => q.AutomationVersionId == context.Version.Id && q.Status == "signed", ct)
            ? null
            : "The version has no signed quote.";
}

/// <summary>T5, T8, T10: the version's WRK workflow exists (its binding was saved by the build).</summary>
internal sealed class BindingExistsGuard(AppDbContext db) : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.BindingExists;

    public async Task<string?> CheckAsync(TransitionContext context, CancellationToken ct) =>
        await db.WorkflowBindings.AnyAsync(b => b.AutomationVersionId == context.Version.Id, ct)
            ? null
            : "The version has no WRK workflow binding yet.";
}

/// <summary>T6: QA passes only when every build-checklist task is done or cancelled.</summary>
internal sealed class BuildChecklistClosedGuard(AppDbContext db) : ITransitionGuard
{
    public string Id => TransitionTable.GuardIds.BuildChecklistClosed;

    public async Task<string?> CheckAsync(TransitionContext context, CancellationToken ct)
    {
        // The checklist rows are share-locked until commit, so a task reopened at this moment waits for the
        // transition (and its writer then sees ready_to_launch) instead of slipping in after the count.
        var statuses = await db.Tasks
            .FromSql($"SELECT * FROM tasks WHERE context_type = 'automation_version' AND context_id = {context.Version.Id} AND kind = 'build_checklist' FOR SHARE")
            .Select(t => t.Status)
            .ToListAsync(ct);
        var open = statuses.Count(s => s is not "done" and not "cancelled");
        return open == 0 ? null : $"{open} build-checklist task(s) are still open.";
    }
}
