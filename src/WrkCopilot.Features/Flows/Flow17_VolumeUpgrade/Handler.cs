using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

/// <summary>
/// Flow 17: a client admin commits to a monthly volume on the signed quote of a live or paused version and gets an
/// <c>amendment</c> quote, already <c>sent</c>, at the volume tier's price of the signed quote's list unit price (no ops step).
/// Overrides are not carried over: the amendment is a new price the client signs; a later override still wins over it.
/// </summary>
internal sealed class VolumeUpgradeHandler(AppDbContext db, QuotePricer pricer, AuditTrail audit, OutboxWriter outbox, TimeProvider clock)
    : IHandler
{
    public static readonly string[] AmendableVersionStatuses = [VersionStatuses.Live, VersionStatuses.Paused];

    public async Task<ErrorOr<QuoteView>> UpgradeAsync(VolumeUpgradeRequest req, CancellationToken ct)
    {
        var signed = await db.Quotes.AsNoTracking().FirstOrDefaultAsync(q => q.Id == req.Id, ct);
        if (signed is null)
        {
            return AppErrors.NotFound("Quote");
        }
        if (signed.Status != QuoteStatuses.Signed)
        {
            return AppErrors.Conflict("quote_not_signed", $"Only a signed quote can be amended; this one is '{signed.Status}'.",
                new Dictionary<string, object> { ["current_status"] = signed.Status });
        }
        var versionStatus = await db.AutomationVersions.AsNoTracking().Where(v => v.Id == signed.AutomationVersionId)
            .Select(v => v.Status).FirstAsync(ct);
        if (!AmendableVersionStatuses.Contains(versionStatus))
        {
            return AppErrors.Conflict("version_not_live", $"A volume upgrade needs a live or paused version; this one is '{versionStatus}'.",
                new Dictionary<string, object> { ["version_status"] = versionStatus });
        }
        var committed = req.CommittedVolume!.Value;
        if (signed.CommittedVolume is { } current && committed <= current)
        {
            return AppErrors.Conflict("not_an_upgrade", $"The signed quote already commits to {current} runs a month; an upgrade must commit to more.");
        }
        // The tier price never raises what the client pays today (an override or an earlier discount stays), and the
        // commitment must grow: an "upgrade" is never a way to lower the committed minimum.
        var price = Math.Min(pricer.EffectiveUnitPrice(signed.UnitPrice, committed), signed.EffectiveUnitPrice);
        var before = VolumeCommitment.Of(signed);
        if (Money.Amount(committed * price) <= before)
        {
            return AppErrors.Conflict("not_an_upgrade",
                $"{committed} runs a month at {Money.FormatUnitPrice(price)} commit {Money.Format(committed * price)}, not more than the {Money.Format(before)} committed today.");
        }
        var now = clock.GetUtcNow();
        var amendment = new Quote
        {
            Id = Guid.CreateVersion7(),
            TenantId = signed.TenantId,
            AutomationVersionId = signed.AutomationVersionId,
            Kind = QuoteKinds.Amendment,
            Status = QuoteStatuses.Sent,
            Currency = signed.Currency,
            SetupFee = 0m,
            UnitPrice = signed.UnitPrice,
            EstimatedVolume = committed,
            CommittedVolume = committed,
            EffectiveUnitPrice = price,
            SupersedesQuoteId = signed.Id,
            SentAt = now,
            ExpiresAt = now + pricer.QuoteValidity,
            RowVersion = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Quotes.Add(amendment);
        var data = new
        {
            quote_id = amendment.Id, automation_version_id = amendment.AutomationVersionId, supersedes_quote_id = signed.Id,
            committed_volume = committed, discount_percent = pricer.DiscountPercent(committed),
            effective_unit_price = Money.FormatUnitPrice(amendment.EffectiveUnitPrice), expires_at = amendment.ExpiresAt,
        };
        audit.Record("quote_amendment_sent", "quote", amendment.Id, data);
        outbox.Notify("quote.amendment_sent", data, NotificationAudience.TenantAdmins(), "Volume upgrade quote ready to sign",
            $"{committed} runs a month at {Money.FormatUnitPrice(amendment.EffectiveUnitPrice)} {amendment.Currency} per run, from the next billing period once signed.");
        await db.SaveChangesAsync(ct);
        return QuoteView.Of(amendment);
    }
}
