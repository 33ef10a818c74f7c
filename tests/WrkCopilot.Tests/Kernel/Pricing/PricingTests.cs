using System.Text.Json;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Pricing;

public sealed class PricingTests
{
    private static readonly QuotePricer Pricer = new(Options.Create(new PricingOptions()));

    [Theory]
    [InlineData("0.125", "0.13")]
    [InlineData("0.135", "0.14")]
    [InlineData("2.675", "2.68")]
    [InlineData("-0.125", "-0.13")]
    public void Amounts_round_half_away_from_zero_to_cents(string value, string expected) =>
        Assert.Equal(expected, Money.Format(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Unit_prices_keep_four_decimals() => Assert.Equal("0.2250", Money.FormatUnitPrice(0.22495m));

    [Theory]
    [InlineData("1500.00", true)]
    [InlineData("0.2500", false)]
    [InlineData("1500", true)]
    [InlineData("-1", false)]
    [InlineData("1e3", false)]
    [InlineData("1,000.00", false)]
    [InlineData("1.", false)]
    [InlineData(".5", false)]
    [InlineData("12345678901.00", false)]
    public void Money_strings_from_requests_are_strict(string text, bool valid) =>
        Assert.Equal(valid, Money.TryParse(text, 2, out _));

    [Fact]
    public void The_rate_card_prices_setup_by_steps_and_the_unit_price_by_complexity()
    {
        using var doc = JsonDocument.Parse(BlueprintDocs.Example);

        var price = Pricer.Price(doc.RootElement);

        // 4 steps, 1 decision, 2 systems: score 4 + 2×1 + 3×2 = 12 → medium.
        Assert.Equal((4, 1, 2, 12, "medium"), (price.Steps, price.DecisionSteps, price.DistinctSystems, price.ComplexityScore, price.Complexity));
        Assert.Equal(700.00m, price.SetupFee);
        Assert.Equal(0.2500m, price.UnitPrice);
    }

    [Theory]
    [InlineData(9_999, "0.2500")]
    [InlineData(10_000, "0.2250")]
    [InlineData(50_000, "0.2000")]
    [InlineData(250_000, "0.1750")]
    public void Volume_tiers_discount_the_unit_price(int volume, string expected) =>
        Assert.Equal(expected, Money.FormatUnitPrice(Pricer.EffectiveUnitPrice(0.2500m, volume)));
}

public sealed class QuoteSignatureTests
{
    [Fact]
    public void The_canonical_text_is_frozen_raw_UTF8_sorted_keys_minimal_escapes()
    {
        using var doc = JsonDocument.Parse("{ \"b\": \"😀 \\u0378 é\", \"a\": [1.50, true, null, \"q\\\"\\\\\\n\\u0001\"] }");

        var text = WrkCopilot.Features.Kernel.Quotes.QuoteSignature.CanonicalText(doc.RootElement);

        const string expected = "{\"a\":[1.50,true,null,\"q\\\"\\\\\\n\\u0001\"],\"b\":\"😀 \u0378 é\"}";
        Assert.Equal(expected, text);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(expected))),
            WrkCopilot.Features.Kernel.Quotes.QuoteSignature.BlueprintSha256(doc.RootElement));
    }
}

public sealed class BadRateCardApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Pricing:QuoteValidity", "00:00:00"),
        new("Pricing:VolumeTiers:0:MinMonthlyVolume", "0"),
        new("Pricing:VolumeTiers:0:DiscountPercent", "120"),
    ];
}

public sealed class RateCardValidationTests(BadRateCardApp app) : IClassFixture<BadRateCardApp>
{
    [Fact]
    public void A_rate_card_that_could_price_below_zero_or_expire_quotes_at_birth_stops_the_start()
    {
        var ex = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => app.CreateClient());
        Assert.Contains("QuoteValidity", ex.Message);
    }
}
