using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Kernel.Billing;

/// <summary>A quote that was signed (it may be superseded since): its price is a point of the timeline.</summary>
public sealed record SignedQuotePrice(Guid QuoteId, string Kind, DateTimeOffset SignedAt, decimal EffectiveUnitPrice);

/// <summary>A pricing override (Flow 19) with a unit price, in force from <see cref="EffectiveFrom"/>.</summary>
public sealed record OverridePrice(Guid OverrideId, DateTimeOffset EffectiveFrom, decimal UnitPrice);

/// <summary>One stretch <c>[From, To)</c> of a period during which one unit price was in force.</summary>
public sealed record PriceSegment(DateTimeOffset From, DateTimeOffset To, decimal UnitPrice);

/// <summary>
/// The effective unit price of one version over time, from its rows alone (pure, no I/O). Each price decision takes effect
/// at a moment and stays until the next one: a signed initial quote from its <c>signed_at</c>; a signed amendment (Flow 17) from
/// the first instant of the UTC month after it was signed (the next billing period); a unit price override (Flow 19) from its
/// <c>effective_from</c>. The latest decision in force wins, so an override made after an amendment took effect beats it and
/// an amendment that takes effect after an override replaces it; at the same instant an override wins over a quote.
/// Before the first signed quote there is no price.
/// </summary>
public sealed class PriceTimeline
{
    private readonly IReadOnlyList<(DateTimeOffset At, decimal Price)> _changes;

    private PriceTimeline(IReadOnlyList<(DateTimeOffset At, decimal Price)> changes) => _changes = changes;

    public static PriceTimeline For(IEnumerable<SignedQuotePrice> quotes, IEnumerable<OverridePrice> overrides)
    {
        // Ties at one instant: quotes first, overrides after, then by when each was decided (and its id), so the later
        // entry wins whatever order the rows were read in (two upgrades signed in one month both start on the next 1st).
        var changes = quotes
            .Select(q => (At: q.Kind == QuoteKinds.Amendment ? NextMonthStart(q.SignedAt) : q.SignedAt, Rank: 0, Decided: q.SignedAt, Key: q.QuoteId, Price: q.EffectiveUnitPrice))
            .Concat(overrides.Select(o => (At: o.EffectiveFrom, Rank: 1, Decided: o.EffectiveFrom, Key: o.OverrideId, Price: o.UnitPrice)))
            .OrderBy(c => c.At).ThenBy(c => c.Rank).ThenBy(c => c.Decided).ThenBy(c => c.Key)
            .Select(c => (c.At, c.Price))
            .ToList();
        return new PriceTimeline(changes);
    }

    /// <summary>The first instant (UTC) of the month after the one holding <paramref name="t"/>.</summary>
    public static DateTimeOffset NextMonthStart(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Year, u.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }

    /// <summary>The unit price in force at <paramref name="t"/>; null before the first signed quote.</summary>
    public decimal? PriceAt(DateTimeOffset t)
    {
        decimal? price = null;
        foreach (var (at, p) in _changes)
        {
            if (at > t)
            {
                break;
            }
            price = p;
        }
        return price;
    }

    /// <summary>
    /// <c>[from, to)</c> cut where the price changes; neighbours with the same price are merged, stretches without a price left out.
    /// </summary>
    public IReadOnlyList<PriceSegment> Segments(DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<PriceSegment>();
        var cuts = _changes.Select(c => c.At).Where(at => at > from && at < to).Distinct().Order().ToList();
        var start = from;
        foreach (var end in cuts.Append(to))
        {
            if (PriceAt(start) is { } price)
            {
                if (result.Count > 0 && result[^1].To == start && result[^1].UnitPrice == price)
                {
                    result[^1] = result[^1] with { To = end };
                }
                else
                {
                    result.Add(new PriceSegment(start, end, price));
                }
            }
            start = end;
        }
        return result;
    }
}
