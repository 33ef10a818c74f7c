using System.Text.Json;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Pricing;

/// <summary>What the rate card says a blueprint costs, and why (shown to ops with the draft quote).</summary>
public sealed record RateCardPrice(
    decimal SetupFee,
    decimal UnitPrice,
    int Steps,
    int DecisionSteps,
    int DistinctSystems,
    int ComplexityScore,
    string Complexity);

/// <summary>
/// Prices quotes: the rate card for a blueprint (Flows 11 and 16's automatic drafts) and the effective unit price of a
/// unit price at a monthly volume (Flows 14 and 17). Pure and deterministic: the same inputs always give the same price.
/// </summary>
public sealed class QuotePricer(IOptions<PricingOptions> options) : IHandler
{
    private PricingOptions Card => options.Value;

    public RateCardPrice Price(JsonElement blueprint)
    {
        var steps = 0;
        var decisions = 0;
        var systems = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (blueprint.ValueKind == JsonValueKind.Object && blueprint.TryGetProperty("sections", out var sections) &&
            sections.ValueKind == JsonValueKind.Array)
        {
            foreach (var section in sections.EnumerateArray())
            {
                if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("steps", out var list) ||
                    list.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                foreach (var step in list.EnumerateArray())
                {
                    steps++;
                    if (step.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "decision")
                    {
                        decisions++;
                    }
                    if (step.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.String &&
                        system.GetString() is { Length: > 0 } name)
                    {
                        systems.Add(name.Trim());
                    }
                }
            }
        }
        var score = steps + Card.DecisionWeight * decisions + Card.SystemWeight * systems.Count;
        var band = Card.Bands.OrderBy(b => b.MaxScore).FirstOrDefault(b => score <= b.MaxScore)
                   ?? Card.Bands.OrderBy(b => b.MaxScore).Last();
        var setup = Money.Amount(Card.SetupBaseFee + Card.SetupFeePerStep * steps);
        return new RateCardPrice(setup, Money.UnitPrice(band.UnitPrice), steps, decisions, systems.Count, score, band.Name);
    }

    /// <summary>The discount (percent) of the volume tier a monthly volume falls in.</summary>
    public decimal DiscountPercent(int monthlyVolume) =>
        Card.Tiers.Where(t => monthlyVolume >= t.MinMonthlyVolume).OrderByDescending(t => t.MinMonthlyVolume)
            .Select(t => t.DiscountPercent).FirstOrDefault();

    /// <summary>A unit price after the volume tier discount for <paramref name="monthlyVolume"/>, rounded to 4 decimals.</summary>
    public decimal EffectiveUnitPrice(decimal unitPrice, int monthlyVolume) =>
        Money.UnitPrice(unitPrice * (100m - DiscountPercent(monthlyVolume)) / 100m);

    public int DefaultEstimatedVolume => Card.DefaultEstimatedVolume;

    public TimeSpan QuoteValidity => Card.QuoteValidity;
}
