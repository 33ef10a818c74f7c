using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Quotes;

/// <summary>
/// The hashes a signature records (ADR 12), so a later dispute is settled from the quote row alone: the terms the client saw
/// and the blueprint those terms price. Both are SHA-256 (lowercase hex) of a canonical JSON text: object keys sorted
/// ordinally, no insignificant whitespace, strings escaped minimally (System.Text.Json's relaxed encoder), numbers as stored.
/// </summary>
public static class QuoteSignature
{
    private static readonly JsonWriterOptions Canonical = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public const int MaxUserAgent = 512;

    /// <summary>
    /// Records the signature on <paramref name="quote"/> (Flows 15 and 17): who, when, from where, and the hashes of its terms and
    /// of <paramref name="blueprint"/>, the document it prices. Call after every term (including <c>expires_at</c>) is final.
    /// </summary>
    public static void Record(Quote quote, JsonElement blueprint, Guid? signerId, string? ip, string? userAgent, DateTimeOffset now)
    {
        quote.SignedAt = now;
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
        return JsonSerializer.Serialize(terms, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public static string TermsSha256(Quote quote) => Sha256(TermsText(quote));

    /// <summary>The canonical text of a JSON document (a blueprint), whatever its key order or spacing.</summary>
    public static string CanonicalText(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Canonical))
        {
            Write(writer, element);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string BlueprintSha256(JsonElement blueprint) => Sha256(CanonicalText(blueprint));

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
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
