using System.Globalization;
using System.Text.Json;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Billing;

public static class BillingLineTypes
{
    /// <summary>Runs of a version completed in the period at one unit price.</summary>
    public const string Usage = "usage";

    /// <summary>The setup fee of a quote signed in the period.</summary>
    public const string SetupFee = "setup_fee";

    /// <summary>Runs of an earlier, finalised period that were not billed there (their events arrived after it was finalised).</summary>
    public const string Adjustment = "adjustment";

    /// <summary>The committed monthly minimum and the shortfall of the period's usage below it (amount 0.00 when none).</summary>
    public const string MinimumShortfall = "minimum_shortfall";
}

/// <summary>
/// One line of a billing period, as stored in <c>billing_periods.lines_json</c> and shown by the billing summary. Usage and
/// adjustment lines say which runs they bill (version, unit price, count): that record is what later adjustments are
/// computed against. Amounts are rounded once per line (<see cref="Money"/>).
/// </summary>
public sealed record BillingLine(
    string Type,
    Guid? AutomationVersionId,
    string? AutomationName,
    string? Version,
    string? UnitPrice,
    int? Runs,
    DateTimeOffset? From,
    DateTimeOffset? To,
    Guid? QuoteId,
    string? AdjustsPeriod,
    string? CommittedMinimum,
    string Amount)
{
    public decimal AmountValue => decimal.Parse(Amount, CultureInfo.InvariantCulture);

    public decimal? UnitPriceValue => UnitPrice is null ? null : decimal.Parse(UnitPrice, CultureInfo.InvariantCulture);

    public static IReadOnlyList<BillingLine> Read(JsonDocument json) =>
        json.RootElement.ValueKind == JsonValueKind.Array
            ? json.RootElement.Deserialize<List<BillingLine>>(JsonDefaults.Options) ?? []
            : [];

    public static JsonDocument Write(IReadOnlyList<BillingLine> lines) => JsonSerializer.SerializeToDocument(lines, JsonDefaults.Options);
}

/// <summary>A period's lines and total, computed (estimate) or frozen.</summary>
public sealed record BillingStatement(BillingMonth Month, string Currency, IReadOnlyList<BillingLine> Lines)
{
    public decimal Total => Lines.Sum(l => l.AmountValue);
}

/// <summary>The per-version view of a statement that Flow 18 answers with.</summary>
public sealed record BillingSummary(
    Guid TenantId,
    string Period,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Currency,
    bool Estimate,
    string Status,
    Guid? BillingPeriodId,
    DateTimeOffset? FinalizedAt,
    IReadOnlyList<VersionBilling> Versions,
    IReadOnlyList<BillingLine> Adjustments,
    string UsageSpend,
    string SetupFees,
    string AdjustmentsTotal,
    string CommittedMinimum,
    string Shortfall,
    string Total,
    IReadOnlyList<BillingLine> Lines)
{
    /// <summary>Status of a period without a row yet, or with a draft row: its figures are live.</summary>
    public const string Open = "open";

    public static BillingSummary Of(Guid tenantId, BillingStatement s, BillingPeriod? row)
    {
        var frozen = row?.Status == BillingPeriodStatuses.Finalized;
        var versions = s.Lines.Where(l => l.AutomationVersionId is not null && l.Type is BillingLineTypes.Usage or BillingLineTypes.SetupFee)
            .GroupBy(l => l.AutomationVersionId!.Value)
            .Select(g =>
            {
                var usage = g.Where(l => l.Type == BillingLineTypes.Usage).ToList();
                return new VersionBilling(g.Key, g.First().AutomationName, g.First().Version, usage.Sum(l => l.Runs ?? 0),
                    usage.Select(l => new PriceLine(l.UnitPrice!, l.Runs ?? 0, l.From, l.To, l.Amount)).ToList(),
                    Money.Format(usage.Sum(l => l.AmountValue)),
                    Money.Format(g.Where(l => l.Type == BillingLineTypes.SetupFee).Sum(l => l.AmountValue)));
            })
            .OrderBy(v => v.AutomationName, StringComparer.Ordinal).ThenBy(v => v.Version, StringComparer.Ordinal)
            .ToList();
        var minimum = s.Lines.FirstOrDefault(l => l.Type == BillingLineTypes.MinimumShortfall);
        var adjustments = s.Lines.Where(l => l.Type == BillingLineTypes.Adjustment).ToList();
        return new BillingSummary(tenantId, s.Month.ToString(), s.Month.FirstDay, s.Month.LastDay, s.Currency, !frozen,
            row?.Status ?? Open, row?.Id, row?.FinalizedAt, versions, adjustments,
            Money.Format(SumOf(s, BillingLineTypes.Usage)), Money.Format(SumOf(s, BillingLineTypes.SetupFee)),
            Money.Format(SumOf(s, BillingLineTypes.Adjustment)), minimum?.CommittedMinimum ?? Money.Format(0m),
            minimum?.Amount ?? Money.Format(0m), Money.Format(s.Total), s.Lines);
    }

    private static decimal SumOf(BillingStatement s, string type) => s.Lines.Where(l => l.Type == type).Sum(l => l.AmountValue);
}

public sealed record VersionBilling(
    Guid AutomationVersionId,
    string? AutomationName,
    string? Version,
    int Runs,
    IReadOnlyList<PriceLine> Prices,
    string UsageSpend,
    string SetupFees);

public sealed record PriceLine(string UnitPrice, int Runs, DateTimeOffset? From, DateTimeOffset? To, string Amount);

public static class BillingPeriodStatuses
{
    public const string Draft = "draft";
    public const string Finalized = "finalized";
}
