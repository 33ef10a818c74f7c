using System.Globalization;
using System.Text.RegularExpressions;

namespace WrkCopilot.Features.Kernel.Billing;

/// <summary>A billing period: one UTC calendar month, written <c>YYYY-MM</c>. Runs belong to it by <c>completed_at</c> in <c>[Start, End)</c>.</summary>
public readonly partial record struct BillingMonth(int Year, int Month)
{
    public DateOnly FirstDay => new(Year, Month, 1);

    /// <summary>The last day of the month (inclusive): <c>billing_periods.period_end</c>.</summary>
    public DateOnly LastDay => FirstDay.AddMonths(1).AddDays(-1);

    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The first instant after the month (exclusive bound).</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    public BillingMonth Previous => Of(Start.AddMonths(-1));

    public override string ToString() => $"{Year:D4}-{Month:D2}";

    public static BillingMonth Of(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new BillingMonth(u.Year, u.Month);
    }

    public static BillingMonth Of(DateOnly day) => new(day.Year, day.Month);

    public static bool TryParse(string? text, out BillingMonth month)
    {
        month = default;
        if (text is null || !Pattern().IsMatch(text))
        {
            return false;
        }
        var year = int.Parse(text[..4], CultureInfo.InvariantCulture);
        var m = int.Parse(text[5..], CultureInfo.InvariantCulture);
        // Beyond 2999 is no billing month, and 9999-12 would overflow the period's end.
        if (year is < 2000 or > 2999 || m is < 1 or > 12)
        {
            return false;
        }
        month = new BillingMonth(year, m);
        return true;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
