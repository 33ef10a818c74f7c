using System.Globalization;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow19_PricingOverride;

/// <summary>
/// Flow 19 (operator admin only). A version whose current quote is a draft: the draft's setup fee and/or effective unit price
/// change, and the override row (with <c>quote_id</c>) records why. A live or paused version: a row without <c>quote_id</c> sets the
/// unit price for runs completed from now on (the billing price timeline reads it); the setup fee, billed at signing, cannot be
/// overridden then. A sent quote: 409 (re-draft first). Rows are only ever inserted: they are the history.
/// </summary>
internal sealed class PricingOverrideHandler(AppDbContext db, ResourceScope scope, CurrentSession session, AuditTrail audit,
    OutboxWriter outbox, TimeProvider clock) : IHandler
{
    private static readonly string[] BillingStatuses = [VersionStatuses.Live, VersionStatuses.Paused];

    public async Task<ErrorOr<PricingOverrideView>> CreateAsync(CreatePricingOverrideRequest req, CancellationToken ct)
    {
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        decimal? setupFee = req.SetupFeeOverride is { } s ? Parse(s) : null;
        decimal? unitPrice = req.UnitPriceOverride is { } u ? Parse(u) : null;
        var now = clock.GetUtcNow();
        var row = new PricingOverride
        {
            Id = Guid.CreateVersion7(), TenantId = version.TenantId, AutomationVersionId = version.Id, Reason = req.Reason!.Trim(),
            CreatedById = session.Required.UserId!.Value, EffectiveFrom = now, CreatedAt = now,
            SetupFeeOverride = setupFee is { } sf ? Money.Amount(sf) : null, UnitPriceOverride = unitPrice is { } up ? Money.UnitPrice(up) : null,
        };
        string appliedTo;
        if (BillingStatuses.Contains(version.Status))
        {
            if (setupFee is not null)
            {
                return AppErrors.Conflict("setup_fee_not_overridable",
                    "The setup fee of a live or paused version was billed when its quote was signed; only the unit price can be overridden.");
            }
            appliedTo = PricingOverrideView.Billing;
            outbox.Notify("pricing.override_applied",
                new { automation_version_id = version.Id, unit_price = Money.FormatUnitPrice(row.UnitPriceOverride!.Value), effective_from = now },
                NotificationAudience.TenantAdmins(), "Your unit price changed",
                $"Runs of {version.Version} completed from {now:yyyy-MM-dd HH:mm} UTC are billed at {Money.FormatUnitPrice(row.UnitPriceOverride!.Value)} per run.");
        }
        else
        {
            var quote = await db.Quotes.Where(q => q.AutomationVersionId == version.Id && q.Kind == QuoteKinds.Initial)
                .OrderByDescending(q => q.CreatedAt).ThenByDescending(q => q.Id).FirstOrDefaultAsync(ct);
            if (quote?.Status == QuoteStatuses.Sent)
            {
                return AppErrors.Conflict("quote_sent", "The quote was sent to the client and cannot change; re-draft it first.");
            }
            if (quote?.Status != QuoteStatuses.Draft)
            {
                return AppErrors.Conflict("not_overridable",
                    $"Overrides apply to a draft quote or a live or paused version; this version is '{version.Status}'" +
                    (quote is null ? " without a quote." : $" and its quote is '{quote.Status}'."),
                    new Dictionary<string, object> { ["version_status"] = version.Status, ["quote_status"] = quote?.Status ?? "none" });
            }
            quote.SetupFee = row.SetupFeeOverride ?? quote.SetupFee;
            quote.EffectiveUnitPrice = row.UnitPriceOverride ?? quote.EffectiveUnitPrice;
            quote.RowVersion++;
            quote.UpdatedAt = now;
            row.QuoteId = quote.Id;
            appliedTo = PricingOverrideView.DraftQuote;
        }
        db.PricingOverrides.Add(row);
        audit.Record("pricing_override_created", "automation_version", version.Id, new
        {
            pricing_override_id = row.Id, applied_to = appliedTo, quote_id = row.QuoteId,
            setup_fee_override = row.SetupFeeOverride is { } a ? Money.Format(a) : null,
            unit_price_override = row.UnitPriceOverride is { } p ? Money.FormatUnitPrice(p) : null,
            reason = row.Reason, effective_from = now,
        });
        await db.SaveChangesAsync(ct);
        return PricingOverrideView.Of(row, appliedTo);
    }

    public async Task<ErrorOr<Page<PricingOverrideView>>> ListAsync(ListPricingOverridesRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automation_versions", "automation_version", req.Id, ct) ||
            !await db.AutomationVersions.AnyAsync(v => v.Id == req.Id, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        return await db.PricingOverrides.AsNoTracking().Where(o => o.AutomationVersionId == req.Id)
            .ToPageAsync(req, o => o.CreatedAt, o => o.Id,
                o => PricingOverrideView.Of(o, o.QuoteId is null ? PricingOverrideView.Billing : PricingOverrideView.DraftQuote), ct);
    }

    private static decimal Parse(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
