using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Auditing;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow16_RejectQuote;

/// <summary>
/// <c>PATCH /v1/quotes/{id}/status {status:"rejected", reason}</c> on an initial quote: the client admin declines a sent quote (an
/// expired one too: rejecting is how the client asks for a fresh quote), which is T4: the version goes back to
/// <c>needs_pricing</c> with a new draft priced from the rate card and a pricing task for ops.
/// </summary>
internal sealed class RejectQuoteChange(AppDbContext db, LifecycleTransitionHandler lifecycle) : IQuoteStatusChange
{
    public string TargetStatus => QuoteStatuses.Rejected;

    public bool Handles(Quote quote) => quote.Kind == QuoteKinds.Initial;

    public async Task<ErrorOr<Success>> ApplyAsync(Quote quote, QuoteStatusChangeRequest request, CancellationToken ct)
    {
        if (!request.Caller.Has(AppRoles.ClientAdmin))
        {
            return AppErrors.Forbidden("Only an admin of the client workspace rejects its quotes.");
        }
        if (quote.Status != QuoteStatuses.Sent)
        {
            return AppErrors.Conflict("invalid_quote_transition", $"The quote is {quote.Status}; only a sent quote can be rejected.",
                new Dictionary<string, object> { ["current_status"] = quote.Status });
        }
        var version = await db.AutomationVersions.FirstAsync(v => v.Id == quote.AutomationVersionId, ct);
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(VersionStatuses.NeedsPricing, LifecycleActor.Of(request.Caller), request.Reason), ct);
        return applied.IsError ? applied.Errors : Result.Success;
    }
}

/// <summary>
/// T4: the version's sent quote becomes <c>rejected</c> with the client's reason. The new draft that the same transition creates
/// (<c>create_draft_quote</c>) is then the version's current quote, so the project's pricing status ends as <c>draft</c> (ADR 12).
/// </summary>
internal sealed class QuoteRejectedEffect(AppDbContext db, TimeProvider clock, AuditTrail audit) : ITransitionEffect
{
    public string Id => "quote_rejected";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var quote = await db.Quotes
            .Where(q => q.AutomationVersionId == context.Version.Id && q.Status == QuoteStatuses.Sent && q.Kind == QuoteKinds.Initial)
            .OrderByDescending(q => q.SentAt).FirstOrDefaultAsync(ct);
        if (quote is null)
        {
            return "The version has no sent quote to reject.";
        }
        var now = clock.GetUtcNow();
        quote.Status = QuoteStatuses.Rejected;
        quote.RejectionReason = context.Decision.Reason;
        quote.RejectedAt = QuoteSignature.ToStoredPrecision(now);
        quote.UpdatedAt = now;
        audit.Record("quote_rejected", "quote", quote.Id, new
        {
            automation_version_id = context.Version.Id,
            reason = quote.RejectionReason,
            setup_fee = Money.Format(quote.SetupFee),
            effective_unit_price = Money.FormatUnitPrice(quote.EffectiveUnitPrice),
        });
        return null;
    }
}
