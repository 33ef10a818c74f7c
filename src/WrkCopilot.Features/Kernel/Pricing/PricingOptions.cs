namespace WrkCopilot.Features.Kernel.Pricing;

/// <summary>
/// Configuration section <c>Pricing</c>: the rate card that prices draft quotes (Flow 11), the volume tiers that discount a
/// unit price for committed or estimated volume (Flows 14, 17), and how long a sent quote stays signable.
/// </summary>
public sealed class PricingOptions
{
    public const string Section = "Pricing";

    /// <summary>Setup fee = <see cref="SetupBaseFee"/> + <see cref="SetupFeePerStep"/> × steps.</summary>
    public decimal SetupBaseFee { get; set; } = 500.00m;

    public decimal SetupFeePerStep { get; set; } = 50.00m;

    /// <summary>
    /// Complexity score = steps + <see cref="DecisionWeight"/> × decision steps + <see cref="SystemWeight"/> × distinct systems;
    /// the first band whose <c>MaxScore</c> is at least the score gives the unit price per run.
    /// </summary>
    public int DecisionWeight { get; set; } = 2;

    public int SystemWeight { get; set; } = 3;

    /// <summary>Empty: <see cref="DefaultComplexityBands"/> (configuration binding appends to a pre-filled list, so defaults live apart).</summary>
    public List<ComplexityBand> ComplexityBands { get; set; } = [];

    public static readonly IReadOnlyList<ComplexityBand> DefaultComplexityBands =
    [
        new() { Name = "low", MaxScore = 10, UnitPrice = 0.1000m },
        new() { Name = "medium", MaxScore = 30, UnitPrice = 0.2500m },
        new() { Name = "high", MaxScore = 80, UnitPrice = 0.5000m },
        new() { Name = "very_high", MaxScore = int.MaxValue, UnitPrice = 1.0000m },
    ];

    /// <summary>Monthly volume tiers: the highest tier whose <c>MinMonthlyVolume</c> the volume reaches discounts the unit price. Empty: <see cref="DefaultVolumeTiers"/>.</summary>
    public List<VolumeTier> VolumeTiers { get; set; } = [];

    public static readonly IReadOnlyList<VolumeTier> DefaultVolumeTiers =
    [
        new() { MinMonthlyVolume = 0, DiscountPercent = 0m },
        new() { MinMonthlyVolume = 10_000, DiscountPercent = 10m },
        new() { MinMonthlyVolume = 50_000, DiscountPercent = 20m },
        new() { MinMonthlyVolume = 200_000, DiscountPercent = 30m },
    ];

    /// <summary>The monthly volume a new draft quote estimates until ops adjust it.</summary>
    public int DefaultEstimatedVolume { get; set; } = 1000;

    /// <summary>How long a sent quote can be signed (<c>expires_at</c> = sent + this).</summary>
    public TimeSpan QuoteValidity { get; set; } = TimeSpan.FromDays(30);

    public const string Rules = "Pricing: fees and unit prices must be ≥ 0 (unit prices > 0 and < 10,000), discounts in [0, 100), " +
                                "the default volume ≥ 1 and QuoteValidity between 1 hour and 365 days.";

    /// <summary>Checked at start: a rate card that could price below zero or expire quotes at birth never serves a request.</summary>
    public static bool IsValid(PricingOptions o) =>
        o.SetupBaseFee >= 0 && o.SetupFeePerStep >= 0 && o.DecisionWeight >= 0 && o.SystemWeight >= 0 && o.DefaultEstimatedVolume >= 1 &&
        o.QuoteValidity >= TimeSpan.FromHours(1) && o.QuoteValidity <= TimeSpan.FromDays(365) &&
        o.Bands.All(b => b.UnitPrice is > 0 and < 10_000) && o.Tiers.All(t => t.MinMonthlyVolume >= 0 && t.DiscountPercent is >= 0 and < 100);

    public IReadOnlyList<ComplexityBand> Bands => ComplexityBands.Count > 0 ? ComplexityBands : DefaultComplexityBands;

    public IReadOnlyList<VolumeTier> Tiers => VolumeTiers.Count > 0 ? VolumeTiers : DefaultVolumeTiers;
}

public sealed class ComplexityBand
{
    public string Name { get; set; } = "";
    public int MaxScore { get; set; }
    public decimal UnitPrice { get; set; }
}

public sealed class VolumeTier
{
    public int MinMonthlyVolume { get; set; }
    public decimal DiscountPercent { get; set; }
}
