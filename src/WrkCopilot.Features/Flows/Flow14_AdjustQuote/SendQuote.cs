using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

/// <summary>
/// <c>PATCH /v1/quotes/{id}/status {status:"sent"}</c>: ops send a draft initial quote, which is T2 (the version goes to
/// <c>awaiting_client_approval</c>); <see cref="QuoteSentEffect"/> marks the quote sent inside the transition.
/// </summary>
internal sealed class SendQuoteChange(AppDbContext db, LifecycleTransitionHandler lifecycle) : IQuoteStatusChange
{
    private static readonly string[] Senders = [AppRoles.OpsAdmin, AppRoles.OperatorAdmin];

    public string TargetStatus => QuoteStatuses.Sent;

    public bool Handles(Quote quote) => quote.Kind == QuoteKinds.Initial;

    public async Task<ErrorOr<Success>> ApplyAsync(Quote quote, QuoteStatusChangeRequest request, CancellationToken ct)
    {
        if (!request.Caller.HasAny(Senders))
        {
            return AppErrors.Forbidden("Only ops_admin or operator admin send quotes.");
        }
        if (quote.Status != QuoteStatuses.Draft)
        {
            return AppErrors.Conflict("invalid_quote_transition", $"The quote is {quote.Status}; only a draft quote can be sent.",
                new Dictionary<string, object> { ["current_status"] = quote.Status });
        }
        var version = await db.AutomationVersions.FirstAsync(v => v.Id == quote.AutomationVersionId, ct);
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(VersionStatuses.AwaitingClientApproval, LifecycleActor.Of(request.Caller), null), ct);
        return applied.IsError ? applied.Errors : Result.Success;
    }
}

/// <summary>
/// T2: the version's draft quote becomes <c>sent</c>, signable until <c>expires_at</c> (now + Pricing:QuoteValidity); the project's
/// pricing status follows. Also reached through Flow 13's generic endpoint, so it finds the draft itself.
/// </summary>
internal sealed class QuoteSentEffect(AppDbContext db, QuoteDrafting drafting, QuotePricer pricer, TimeProvider clock) : ITransitionEffect
{
    public string Id => "quote_sent";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var quote = await db.Quotes
            .Where(q => q.AutomationVersionId == context.Version.Id && q.Status == QuoteStatuses.Draft && q.Kind == QuoteKinds.Initial)
            .OrderByDescending(q => q.CreatedAt).FirstOrDefaultAsync(ct);
        if (quote is null)
        {
            return "The version has no draft quote to send.";
        }
        // PostgreSQL keeps microseconds: truncate now so the value signed later (and hashed) is the value sent.
        var now = clock.GetUtcNow();
        now = QuoteSignature.ToStoredPrecision(now);
        quote.Status = QuoteStatuses.Sent;
        quote.SentAt = now;
        quote.ExpiresAt = now + pricer.QuoteValidity;
        quote.UpdatedAt = now;
        await drafting.SetPricingStatusAsync(context.Version.Id, PricingStatuses.Sent, ct);
        return null;
    }
}
