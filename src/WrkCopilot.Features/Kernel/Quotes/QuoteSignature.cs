using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Quotes;

/// <summary>
/// The hashes a signature records (ADR 12), so a later dispute is settled from the quote row alone: the terms the client saw
/// and the blueprint those terms price. Both are SHA-256 (lowercase hex) of a canonical JSON text: object keys sorted
/// by UTF-16 code units, no insignificant whitespace, strings escaping only quote, backslash and control characters, numbers as stored.
/// </summary>
public static class QuoteSignature
{
    public const int MaxUserAgent = 512;

    /// <summary>PostgreSQL keeps microseconds: a time recorded on a quote is cut to them, so the answer equals the stored row.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    /// <summary>The version of <see cref="TermsText"/>'s layout (1: the fields below, including supersedes_quote_id).</summary>
    public const int TermsFormat = 1;

    /// <summary>
    /// Records the signature on <paramref name="quote"/> (Flows 15 and 17): who, when, from where, and the hashes of its terms and
    /// of <paramref name="blueprint"/>, the document it prices. Call after every term (including <c>expires_at</c>) is final.
    /// </summary>
    public static void Record(Quote quote, JsonElement blueprint, Guid? signerId, string? ip, string? userAgent, DateTimeOffset now)
    {
        quote.SignedAt = ToStoredPrecision(now);
        quote.SignedById = signerId;
        quote.SignedIp = ip;
        quote.SignedUserAgent = string.IsNullOrEmpty(userAgent) ? null : TextLimits.Shorten(userAgent, MaxUserAgent);
        quote.TermsSha256 = TermsSha256(quote);
        quote.BlueprintSha256 = BlueprintSha256(blueprint);
    }

    /// <summary>
    /// The canonical text of a quote's terms: money as its wire strings, <c>expires_at</c> as ISO-8601 UTC to the microsecond
    /// (what PostgreSQL keeps), absent values as null.
    /// </summary>
    public static string TermsText(Quote quote)
    {
        var terms = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            // Bumped whenever the set of terms changes, so a recorded hash says which text to recompute it from.
            ["terms_format"] = TermsFormat,
            ["automation_version_id"] = quote.AutomationVersionId.ToString("D"),
            ["committed_volume"] = quote.CommittedVolume,
            ["currency"] = quote.Currency,
            ["effective_unit_price"] = Money.FormatUnitPrice(quote.EffectiveUnitPrice),
            ["estimated_volume"] = quote.EstimatedVolume,
            ["expires_at"] = quote.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["kind"] = quote.Kind,
            ["quote_id"] = quote.Id.ToString("D"),
            ["setup_fee"] = Money.Format(quote.SetupFee),
            ["supersedes_quote_id"] = quote.SupersedesQuoteId?.ToString("D"),
            ["unit_price"] = Money.FormatUnitPrice(quote.UnitPrice),
        };
        return CanonicalText(JsonSerializer.SerializeToElement(terms));
    }

    public static string TermsSha256(Quote quote) => Sha256(TermsText(quote));

    /// <summary>
    /// The canonical text of a JSON document (a blueprint), whatever its key order or spacing: keys sorted by UTF-16 code units,
    /// no whitespace, numbers as stored, strings escaping only <c>"</c>, <c>\</c> and control characters (lowercase hex) and
    /// everything else as raw UTF-8 (as RFC 8785 does), so the hash depends on no runtime's escaping tables.
    /// </summary>
    public static string CanonicalText(JsonElement element)
    {
        var text = new StringBuilder();
        Write(text, element);
        return text.ToString();
    }

    public static string BlueprintSha256(JsonElement blueprint) => Sha256(CanonicalText(blueprint));

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static void Write(StringBuilder text, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ",");
                    first = false;
                    WriteString(text, property.Name);
                    text.Append(':');
                    Write(text, property.Value);
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    text.Append(firstItem ? "" : ",");
                    firstItem = false;
                    Write(text, item);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(text, element.GetString()!);
                break;
            case JsonValueKind.Number:
                text.Append(element.GetRawText());
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}

/// <summary>How reads show a quote: a sent quote whose <c>expires_at</c> has passed reads as <c>expired</c> (ADR 12).</summary>
public static class QuoteReads
{
    public static string StatusAt(Quote quote, DateTimeOffset now) =>
        quote.Status == QuoteStatuses.Sent && quote.ExpiresAt is { } expires && expires <= now ? QuoteStatuses.Expired : quote.Status;

    public static bool IsExpired(Quote quote, DateTimeOffset now) => StatusAt(quote, now) == QuoteStatuses.Expired;

    public static QuoteView View(Quote quote, DateTimeOffset now) => QuoteView.Of(quote) with { Status = StatusAt(quote, now) };
}
