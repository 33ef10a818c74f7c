using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Kernel.Billing;

/// <summary>The audit row a volume upgrade writes when it changes the client's committed monthly spend (billing reads it back).</summary>
public static class CommittedSpend
{
    public const string ChangedAction = "committed_monthly_spend_changed";
    public const string BeforeField = "committed_monthly_spend_before";
    public const string AfterField = "committed_monthly_spend";
}

/// <summary>
/// Computes a tenant's statement for one month (Flows 18 and 20) inside the unit of work's tenant: runs with a final status
/// counted by <c>completed_at</c> at the unit price in force at that moment (<see cref="PriceTimeline"/>), setup fees of quotes
/// signed in the month, adjustments for runs of earlier finalised periods that were not billed there, and the shortfall of the
/// month's usage below the committed minimum (<c>clients.committed_monthly_spend</c>, 0 without a client row).
/// </summary>
public sealed class BillingCalculator(AppDbContext db) : IHandler
{
    public static readonly string[] FinalRunStatuses = ["succeeded", "failed"];

    /// <summary>How far back late run events are looked for: run events are kept about 13 months (400 days).</summary>
    public const int AdjustmentLookbackMonths = 14;

    public async Task<BillingStatement> ComputeAsync(Guid tenantId, BillingMonth month, CancellationToken ct)
    {
        var currency = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Currency).FirstOrDefaultAsync(ct) ?? "USD";
        var prices = await PricesAsync(ct);
        var labels = await db.AutomationVersions.AsNoTracking()
            .Join(db.Automations.AsNoTracking(), v => v.AutomationId, a => a.Id, (v, a) => new { v.Id, v.Version, a.Name })
            .ToDictionaryAsync(x => x.Id, x => (x.Name, x.Version), ct);

        var lines = new List<BillingLine>();
        var usage = await UsageLinesAsync(month, prices, labels, ct);
        lines.AddRange(usage);

        var setupFees = await db.Quotes.AsNoTracking()
            .Where(q => q.SignedAt >= month.Start && q.SignedAt < month.End && q.SetupFee > 0)
            .OrderBy(q => q.SignedAt).ThenBy(q => q.Id)
            .Select(q => new { q.Id, q.AutomationVersionId, q.SetupFee, q.SignedAt })
            .ToListAsync(ct);
        foreach (var q in setupFees)
        {
            var (name, version) = Label(labels, q.AutomationVersionId);
            lines.Add(new BillingLine(BillingLineTypes.SetupFee, q.AutomationVersionId, name, version, null, null, q.SignedAt, null, q.Id,
                null, null, Money.Format(q.SetupFee)));
        }

        lines.AddRange(await AdjustmentLinesAsync(month, prices, labels, ct));

        var committed = await CommittedMinimumAsync(month, ct);
        if (committed > 0)
        {
            var shortfall = Math.Max(0m, committed - usage.Sum(l => l.AmountValue));
            lines.Add(new BillingLine(BillingLineTypes.MinimumShortfall, null, null, null, null, null, null, null, null, null,
                Money.Format(committed), Money.Format(shortfall)));
        }
        return new BillingStatement(month, currency, lines);
    }

    /// <summary>
    /// The committed minimum in force during <paramref name="month"/>: the client's <c>committed_monthly_spend</c>, unless a volume
    /// upgrade signed in the month or later changed it (it applies from the month after its signature): then the value it replaced,
    /// as the append-only audit row of the change recorded it. 0 without a client row.
    /// </summary>
    private async Task<decimal> CommittedMinimumAsync(BillingMonth month, CancellationToken ct)
    {
        var current = await db.Clients.AsNoTracking().Select(c => (decimal?)c.CommittedMonthlySpend).FirstOrDefaultAsync(ct);
        if (current is null)
        {
            return 0m;
        }
        var laterChange = await db.AuditLogs.AsNoTracking()
            .Where(a => a.ActionType == CommittedSpend.ChangedAction && a.CreatedAt >= month.Start)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => a.MetadataJson)
            .FirstOrDefaultAsync(ct);
        return laterChange is not null && laterChange.RootElement.TryGetProperty(CommittedSpend.BeforeField, out var before) &&
               before.ValueKind == System.Text.Json.JsonValueKind.String &&
               decimal.TryParse(before.GetString(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : current.Value;
    }

    private async Task<Dictionary<Guid, PriceTimeline>> PricesAsync(CancellationToken ct)
    {
        var quotes = await db.Quotes.AsNoTracking()
            .Where(q => q.SignedAt != null && (q.Status == QuoteStatuses.Signed || q.Status == QuoteStatuses.Superseded))
            .Select(q => new { q.AutomationVersionId, Price = new SignedQuotePrice(q.Id, q.Kind, q.SignedAt!.Value, q.EffectiveUnitPrice) })
            .ToListAsync(ct);
        var overrides = await db.PricingOverrides.AsNoTracking()
            .Where(o => o.UnitPriceOverride != null && o.QuoteId == null)
            .Select(o => new { o.AutomationVersionId, Price = new OverridePrice(o.Id, o.EffectiveFrom, o.UnitPriceOverride!.Value) })
            .ToListAsync(ct);
        return quotes.Select(q => q.AutomationVersionId).Concat(overrides.Select(o => o.AutomationVersionId)).Distinct()
            .ToDictionary(v => v, v => PriceTimeline.For(
                quotes.Where(q => q.AutomationVersionId == v).Select(q => q.Price),
                overrides.Where(o => o.AutomationVersionId == v).Select(o => o.Price)));
    }

    private static (string? Name, string? Version) Label(Dictionary<Guid, (string Name, string Version)> labels, Guid versionId) =>
        labels.TryGetValue(versionId, out var l) ? (l.Name, l.Version) : (null, null);

    /// <summary>Usage lines of <paramref name="month"/> as the run events are now: one per version and unit price stretch with runs.</summary>
    private async Task<List<BillingLine>> UsageLinesAsync(BillingMonth month, Dictionary<Guid, PriceTimeline> prices,
        Dictionary<Guid, (string Name, string Version)> labels, CancellationToken ct)
    {
        var final = FinalRunStatuses;
        var perVersion = await db.RunEvents.AsNoTracking()
            .Where(r => final.Contains(r.Status) && r.CompletedAt >= month.Start && r.CompletedAt < month.End)
            .GroupBy(r => r.AutomationVersionId)
            .Select(g => new { VersionId = g.Key, Runs = g.Count() })
            .ToListAsync(ct);
        var lines = new List<BillingLine>();
        foreach (var v in perVersion.OrderBy(v => v.VersionId))
        {
            var (name, version) = Label(labels, v.VersionId);
            var segments = prices.TryGetValue(v.VersionId, out var timeline) ? timeline.Segments(month.Start, month.End) : [];
            if (segments.Count == 0)
            {
                // Runs without any signed price (should not happen: a version runs only after signing) are shown, at 0.
                segments = [new PriceSegment(month.Start, month.End, 0m)];
            }
            var counted = 0;
            foreach (var s in segments)
            {
                var runs = segments.Count == 1 ? v.Runs : await db.RunEvents.AsNoTracking()
                    .CountAsync(r => r.AutomationVersionId == v.VersionId && final.Contains(r.Status) && r.CompletedAt >= s.From && r.CompletedAt < s.To, ct);
                counted += runs;
                if (runs > 0)
                {
                    lines.Add(new BillingLine(BillingLineTypes.Usage, v.VersionId, name, version, Money.FormatUnitPrice(s.UnitPrice), runs,
                        s.From, s.To, null, null, null, Money.Format(runs * s.UnitPrice)));
                }
            }
            if (counted < v.Runs)
            {
                // Runs before the first signed price of a month that has one later: billed at 0, never dropped silently.
                lines.Add(new BillingLine(BillingLineTypes.Usage, v.VersionId, name, version, Money.FormatUnitPrice(0m), v.Runs - counted,
                    month.Start, segments[0].From, null, null, null, Money.Format(0m)));
            }
        }
        return lines;
    }

    /// <summary>
    /// For each finalised period before <paramref name="month"/>: the runs it would bill now, per version and unit price, minus
    /// what it billed and what later finalised periods already billed for it as adjustments. Only a positive difference is billed
    /// (run events removed by retention never make a credit).
    /// </summary>
    private async Task<List<BillingLine>> AdjustmentLinesAsync(BillingMonth month, Dictionary<Guid, PriceTimeline> prices,
        Dictionary<Guid, (string Name, string Version)> labels, CancellationToken ct)
    {
        var from = month.FirstDay.AddMonths(-AdjustmentLookbackMonths);
        var until = month.FirstDay;
        var finalised = await db.BillingPeriods.AsNoTracking()
            .Where(p => p.Status == BillingPeriodStatuses.Finalized && p.PeriodStart >= from && p.PeriodStart != until)
            .OrderBy(p => p.PeriodStart)
            .ToListAsync(ct);
        if (!finalised.Any(p => p.PeriodStart < until))
        {
            return [];
        }
        var stored = finalised.Select(p => (Month: BillingMonth.Of(p.PeriodStart), Lines: BillingLine.Read(p.LinesJson))).ToList();
        var lines = new List<BillingLine>();
        // Adjustments already billed by any other finalised period count, even one after this month.
        foreach (var (periodMonth, periodLines) in stored.Where(s => s.Month.Start < month.Start))
        {
            var key = periodMonth.ToString();
            var billed = periodLines.Where(l => l.Type == BillingLineTypes.Usage)
                .Concat(stored.SelectMany(s => s.Lines).Where(l => l.Type == BillingLineTypes.Adjustment && l.AdjustsPeriod == key))
                .GroupBy(l => (l.AutomationVersionId, l.UnitPriceValue))
                .ToDictionary(g => g.Key, g => g.Sum(l => l.Runs ?? 0));
            var current = (await UsageLinesAsync(periodMonth, prices, labels, ct))
                .GroupBy(l => (l.AutomationVersionId, l.UnitPriceValue));
            foreach (var group in current)
            {
                var missing = group.Sum(l => l.Runs ?? 0) - billed.GetValueOrDefault(group.Key);
                if (missing > 0)
                {
                    var first = group.First();
                    lines.Add(first with
                    {
                        Type = BillingLineTypes.Adjustment, Runs = missing, AdjustsPeriod = key, From = periodMonth.Start, To = periodMonth.End,
                        Amount = Money.Format(missing * group.Key.UnitPriceValue!.Value),
                    });
                }
            }
        }
        return lines;
    }
}
