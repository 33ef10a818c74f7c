using System.Globalization;

namespace WrkCopilot.Features.Kernel.Pricing;

/// <summary>
/// The one place money is rounded and written. Amounts have 2 decimals (<c>numeric(14,2)</c>), unit prices 4
/// (<c>numeric(14,4)</c>); both round half away from zero ("half-up", as invoices and the finance team expect), once,
/// at the end of a line: a line's amount is <c>Amount(quantity × unit price)</c>, never a sum of rounded runs.
/// On the wire money is a string (<c>"1500.00"</c>, <c>"0.2500"</c>), never a JSON number.
/// </summary>
public static class Money
{
    public const MidpointRounding Rounding = MidpointRounding.AwayFromZero;

    public static decimal Amount(decimal value) => Math.Round(value, 2, Rounding);

    public static decimal UnitPrice(decimal value) => Math.Round(value, 4, Rounding);

    public static string Format(decimal amount) => Amount(amount).ToString("0.00", CultureInfo.InvariantCulture);

    public static string FormatUnitPrice(decimal unitPrice) => UnitPrice(unitPrice).ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>An amount from a request: at most 2 decimals and 9 digits before the point (below 1,000,000,000).</summary>
    public static bool TryParseAmount(string? text, out decimal value) => TryParse(text, 2, out value, maxIntegerDigits: 9);

    /// <summary>
    /// A unit price from a request: at most 4 decimals and 4 digits before the point (below 10,000 per run), so that volume ×
    /// price always fits an amount column.
    /// </summary>
    public static bool TryParseUnitPrice(string? text, out decimal value) => TryParse(text, 4, out value, maxIntegerDigits: 4);

    /// <summary>
    /// Parses a money string from a request: digits with at most <paramref name="decimals"/> decimals, no exponent, no
    /// thousands separator, not negative, at most <paramref name="maxIntegerDigits"/> digits before the point.
    /// </summary>
    public static bool TryParse(string? text, int decimals, out decimal value, int maxIntegerDigits = 10)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        if (integer.Length is 0 || integer.Length > maxIntegerDigits || fraction.Length > decimals ||
            (point >= 0 && fraction.Length == 0) || !integer.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            return false;
        }
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }
}
