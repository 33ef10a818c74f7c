using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Quotes;

#pragma warning disable CA1720 // "Signed" is the pricing status of flows.md, not a type name
/// <summary><c>projects.pricing_status</c> values: the status of the version's current quote (<c>none</c> before the first).</summary>
public static class PricingStatuses
{
    public const string None = "none";
    public const string Draft = "draft";
    public const string Sent = "sent";
    public const string Signed = "signed";
    public const string Rejected = "rejected";
}
#pragma warning restore CA1720

/// <summary>
/// Writes and reprices draft quotes: the automatic draft of T1 and T4 (priced from the rate card), the effective unit price after
/// an adjustment (Flow 14), and the project's <c>pricing_status</c>, which mirrors the version's current quote.
/// </summary>
public sealed class QuoteDrafting(AppDbContext db, QuotePricer pricer, TimeProvider clock) : IHandler
{
    /// <summary>
    /// A new draft quote for <paramref name="version"/>, priced from the rate card; any leftover draft of the version is superseded
    /// so that a version has at most one draft (the quote T2 sends). The project's pricing status becomes <c>draft</c>.
    /// </summary>
    public async Task<(Quote Quote, RateCardPrice Price)> CreateDraftAsync(AutomationVersion version, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var leftovers = await db.Quotes.Where(q => q.AutomationVersionId == version.Id && q.Status == QuoteStatuses.Draft).ToListAsync(ct);
        foreach (var old in leftovers)
        {
            old.Status = QuoteStatuses.Superseded;
            old.UpdatedAt = now;
        }
        var price = pricer.Price(version.BlueprintJson.RootElement);
        var currency = await db.Tenants.Where(t => t.Id == version.TenantId).Select(t => t.Currency).FirstAsync(ct);
        var quote = new Quote
        {
            Id = Guid.CreateVersion7(),
            TenantId = version.TenantId,
            AutomationVersionId = version.Id,
            Kind = QuoteKinds.Initial,
            Status = QuoteStatuses.Draft,
            Currency = currency,
            SetupFee = price.SetupFee,
            UnitPrice = price.UnitPrice,
            EstimatedVolume = pricer.DefaultEstimatedVolume,
            Notes = Describe(price),
            // The blueprint this draft prices: T2 refuses to send it once the blueprint has changed (until ops re-price it).
            BlueprintSha256 = QuoteSignature.BlueprintSha256(version.BlueprintJson.RootElement),
            RowVersion = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await RepriceAsync(quote, ct);
        db.Quotes.Add(quote);
        await SetPricingStatusAsync(version.Id, PricingStatuses.Draft, ct);
        return (quote, price);
    }

    /// <summary>
    /// Recomputes <c>effective_unit_price</c>: the unit price after the volume tier of the estimated volume, unless a pricing
    /// override (Flow 19; the newest one for this quote or for the whole version) fixes the unit price or the setup fee: an
    /// override is the operator admin's explicit decision, so it wins over the rate card and over an ops adjustment.
    /// </summary>
    public async Task RepriceAsync(Quote quote, CancellationToken ct)
    {
        // Each field keeps its own newest override: a later setup-fee-only override does not undo an earlier unit price one.
        var overrides = db.PricingOverrides.AsNoTracking()
            .Where(o => o.AutomationVersionId == quote.AutomationVersionId && (o.QuoteId == quote.Id || o.QuoteId == null))
            .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id);
        var setupOverride = await overrides.Where(o => o.SetupFeeOverride != null).Select(o => o.SetupFeeOverride).FirstOrDefaultAsync(ct);
        var unitOverride = await overrides.Where(o => o.UnitPriceOverride != null).Select(o => o.UnitPriceOverride).FirstOrDefaultAsync(ct);
        if (setupOverride is { } setup)
        {
            quote.SetupFee = Money.Amount(setup);
        }
        quote.EffectiveUnitPrice = unitOverride is { } unit
            ? Money.UnitPrice(unit)
            : pricer.EffectiveUnitPrice(quote.UnitPrice, quote.EstimatedVolume);
    }

    /// <summary>Sets the pricing status of the version's project(s).</summary>
    public async Task SetPricingStatusAsync(Guid versionId, string status, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var project in await db.Projects.Where(p => p.AutomationVersionId == versionId).ToListAsync(ct))
        {
            project.PricingStatus = status;
            project.UpdatedAt = now;
        }
    }

    /// <summary>The rate card's reasoning, kept in the draft's notes so ops see why it costs what it costs.</summary>
    public static string Describe(RateCardPrice price) =>
        $"Rate card: {price.Steps} step(s), {price.DecisionSteps} decision step(s), {price.DistinctSystems} distinct system(s); " +
        $"complexity score {price.ComplexityScore} ({price.Complexity}).";
}
