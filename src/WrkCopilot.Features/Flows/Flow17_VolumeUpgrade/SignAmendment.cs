using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

/// <summary>
/// Flow 17, signing: <c>PATCH /v1/quotes/{id}/status {"status":"signed"}</c> on a sent amendment. No lifecycle transition: the
/// amended quote becomes <c>superseded</c>, the amendment <c>signed</c> (with the same signature record as Flow 15), its price
/// applies from the next billing period (<see cref="PriceTimeline"/>), and the client's committed monthly spend becomes
/// committed volume × the amendment's effective unit price. Two racing signatures: the quotes' row versions let one win.
/// </summary>
internal sealed class SignAmendment(AppDbContext db, AuditTrail audit, OutboxWriter outbox, TimeProvider clock) : IQuoteStatusChange
{
    public string TargetStatus => QuoteStatuses.Signed;

    public bool Handles(Quote quote) => quote.Kind == QuoteKinds.Amendment && quote.Status == QuoteStatuses.Sent;

    public async Task<ErrorOr<Success>> ApplyAsync(Quote quote, QuoteStatusChangeRequest request, CancellationToken ct)
    {
        if (!request.Caller.Has(AppRoles.ClientAdmin))
        {
            return AppErrors.Forbidden("Only a client admin signs a quote.");
        }
        var now = clock.GetUtcNow();
        if (quote.ExpiresAt is { } expires && expires <= now)
        {
            return AppErrors.Conflict("quote_expired", $"The quote expired at {expires:O}; ask for a new one.");
        }
        var amended = quote.SupersedesQuoteId is { } amendedId ? await db.Quotes.FirstOrDefaultAsync(q => q.Id == amendedId, ct) : null;
        if (amended is null || amended.Status != QuoteStatuses.Signed)
        {
            return AppErrors.Conflict("quote_superseded", "The quote this amendment amends is no longer the signed quote of the version.");
        }
        var version = await db.AutomationVersions.AsNoTracking().FirstAsync(v => v.Id == quote.AutomationVersionId, ct);
        if (!VolumeUpgradeHandler.AmendableVersionStatuses.Contains(version.Status))
        {
            return AppErrors.Conflict("version_not_live", $"A volume upgrade needs a live or paused version; this one is '{version.Status}'.",
                new Dictionary<string, object> { ["version_status"] = version.Status });
        }

        amended.Status = QuoteStatuses.Superseded;
        amended.RowVersion++;
        amended.UpdatedAt = now;
        quote.Status = QuoteStatuses.Signed;
        QuoteSignature.Record(quote, version.BlueprintJson.RootElement, request.Caller.UserId, request.ClientIp, request.UserAgent, now);
        quote.RowVersion++;
        quote.UpdatedAt = now;

        var appliesFrom = PriceTimeline.NextMonthStart(now);
        var client = await db.Clients.FirstOrDefaultAsync(ct);
        decimal? before = client?.CommittedMonthlySpend;
        if (client is not null)
        {
            // The client's minimum covers all its versions: at least the signed commitments of every version (this one's new one
            // included), and never lower than it was (a minimum agreed with ops stays until ops change it).
            var others = await db.Quotes.AsNoTracking()
                .Where(q => q.Status == QuoteStatuses.Signed && q.CommittedVolume != null && q.AutomationVersionId != quote.AutomationVersionId)
                .Select(q => new { q.CommittedVolume, q.EffectiveUnitPrice }).ToListAsync(ct);
            var committed = VolumeCommitment.Of(quote) + others.Sum(o => Money.Amount(o.CommittedVolume!.Value * o.EffectiveUnitPrice));
            client.CommittedMonthlySpend = Math.Max(client.CommittedMonthlySpend, Money.Amount(committed));
            client.UpdatedAt = now;
            // Billing reads this row back: the month of the signature still owes the commitment it replaced.
            audit.Record(CommittedSpend.ChangedAction, "client", client.Id, new Dictionary<string, object?>
            {
                [CommittedSpend.BeforeField] = Money.Format(before!.Value),
                [CommittedSpend.AfterField] = Money.Format(client.CommittedMonthlySpend),
                ["quote_id"] = quote.Id,
                ["applies_from"] = appliesFrom,
            });
        }
        audit.Record("quote_signed", "quote", quote.Id, new
        {
            kind = quote.Kind, superseded_quote_id = amended.Id, committed_volume = quote.CommittedVolume,
            effective_unit_price = Money.FormatUnitPrice(quote.EffectiveUnitPrice), applies_from = appliesFrom,
            committed_monthly_spend_before = before is { } b ? Money.Format(b) : null,
            committed_monthly_spend = client is null ? null : Money.Format(client.CommittedMonthlySpend),
            terms_sha256 = quote.TermsSha256, blueprint_sha256 = quote.BlueprintSha256,
        });
        outbox.Notify("quote.amendment_signed",
            new { quote_id = quote.Id, automation_version_id = quote.AutomationVersionId, superseded_quote_id = amended.Id, applies_from = appliesFrom },
            NotificationAudience.Staff(), "Volume upgrade signed",
            $"{quote.CommittedVolume} runs a month at {Money.FormatUnitPrice(quote.EffectiveUnitPrice)} {quote.Currency} from {appliesFrom:yyyy-MM-dd}.");
        await db.SaveChangesAsync(ct);
        return Result.Success;
    }
}
