using WrkCopilot.Features.Kernel.Billing;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Kernel.Billing;

public sealed class PriceTimelineTests
{
    private static readonly Guid Q1 = Guid.NewGuid();
    private static readonly Guid Q2 = Guid.NewGuid();

    [Fact]
    public void There_is_no_price_before_the_initial_quote_is_signed_and_its_price_from_then_on()
    {
        var t = PriceTimeline.For([new SignedQuotePrice(Q1, "initial", Utc(2026, 2, 15, 9), 0.25m)], []);

        Assert.Null(t.PriceAt(Utc(2026, 2, 15, 8, 59, 59)));
        Assert.Equal(0.25m, t.PriceAt(Utc(2026, 2, 15, 9)));
        Assert.Equal(0.25m, t.PriceAt(Utc(2030, 1, 1)));
    }

    [Fact]
    public void Of_two_upgrades_signed_in_one_month_the_later_one_wins_whatever_order_the_rows_come_in()
    {
        var initial = new SignedQuotePrice(Q1, "initial", Utc(2026, 2, 15), 0.25m);
        var first = new SignedQuotePrice(Q2, "amendment", Utc(2026, 3, 5), 0.225m);
        var second = new SignedQuotePrice(Guid.NewGuid(), "amendment", Utc(2026, 3, 20), 0.2m);

        Assert.Equal(0.2m, PriceTimeline.For([initial, first, second], []).PriceAt(Utc(2026, 4, 1)));
        Assert.Equal(0.2m, PriceTimeline.For([second, first, initial], []).PriceAt(Utc(2026, 4, 1)));
    }

    [Fact]
    public void An_amendment_applies_from_the_first_instant_of_the_month_after_its_signature()
    {
        var t = PriceTimeline.For([
            new SignedQuotePrice(Q1, "initial", Utc(2026, 2, 15), 0.25m),
            new SignedQuotePrice(Q2, "amendment", Utc(2026, 3, 10, 12), 0.225m),
        ], []);

        Assert.Equal(0.25m, t.PriceAt(Utc(2026, 3, 31, 23, 59, 59)));
        Assert.Equal(0.225m, t.PriceAt(Utc(2026, 4, 1)));
        // Signed on the last second of December: January of the next year.
        Assert.Equal(Utc(2027, 1, 1), PriceTimeline.NextMonthStart(Utc(2026, 12, 31, 23, 59, 59)));
    }

    [Fact]
    public void The_latest_price_decision_in_force_wins_and_segments_cut_a_month_where_the_price_changes()
    {
        var t = PriceTimeline.For(
            [
                new SignedQuotePrice(Q1, "initial", Utc(2026, 2, 15), 0.25m),
                new SignedQuotePrice(Q2, "amendment", Utc(2026, 3, 10), 0.225m),
            ],
            [new OverridePrice(Guid.NewGuid(), Utc(2026, 3, 20), 0.1235m)]);

        var march = t.Segments(Utc(2026, 3, 1), Utc(2026, 4, 1));
        Assert.Equal([
            new PriceSegment(Utc(2026, 3, 1), Utc(2026, 3, 20), 0.25m),
            new PriceSegment(Utc(2026, 3, 20), Utc(2026, 4, 1), 0.1235m),
        ], march);
        // The amendment takes effect after the override and replaces it.
        Assert.Equal([new PriceSegment(Utc(2026, 4, 1), Utc(2026, 5, 1), 0.225m)], t.Segments(Utc(2026, 4, 1), Utc(2026, 5, 1)));
    }

    [Fact]
    public void Neighbouring_stretches_at_one_price_are_merged_and_an_override_wins_a_tie()
    {
        var t = PriceTimeline.For(
            [
                new SignedQuotePrice(Q1, "initial", Utc(2026, 2, 1), 0.25m),
                new SignedQuotePrice(Q2, "amendment", Utc(2026, 2, 5), 0.25m),
                new SignedQuotePrice(Guid.NewGuid(), "amendment", Utc(2026, 3, 7), 0.2m),
            ],
            [new OverridePrice(Guid.NewGuid(), Utc(2026, 4, 1), 0.3m)]);

        Assert.Empty(t.Segments(Utc(2026, 1, 1), Utc(2026, 2, 1)));
        Assert.Equal([new PriceSegment(Utc(2026, 2, 1), Utc(2026, 4, 1), 0.25m)], t.Segments(Utc(2026, 1, 1), Utc(2026, 4, 1)));
        Assert.Equal(0.3m, t.PriceAt(Utc(2026, 4, 1)));
    }

    [Theory]
    [InlineData("2026-03", true)]
    [InlineData("2026-12", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-00", false)]
    [InlineData("2026-3", false)]
    [InlineData("1999-12", false)]
    [InlineData("9999-12", false)]
    [InlineData("2999-12", true)]
    [InlineData("２026-03", false)]
    [InlineData("", false)]
    public void Periods_are_written_year_dash_month(string text, bool valid) => Assert.Equal(valid, BillingMonth.TryParse(text, out _));
}
