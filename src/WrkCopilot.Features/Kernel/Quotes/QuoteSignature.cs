using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Quotes;

/// <summary>
/// The signature record of a quote (Flows 15 and 17): who signed, when, from where, and SHA-256 hashes of the terms signed and
/// of the blueprint they price, so a later dispute can be settled from the row alone. The terms are a fixed, line-based text of
/// the quote's commercial fields (money formatted as on the wire), so the hash can be recomputed from the row.
/// </summary>
public static class QuoteSignature
{
    public static void Record(Quote quote, JsonDocument blueprint, QuoteStatusChangeRequest request, DateTimeOffset now)
    {
        quote.SignedAt = now;
        quote.SignedById = request.Caller.UserId;
        quote.SignedIp = request.ClientIp;
        quote.SignedUserAgent = string.IsNullOrEmpty(request.UserAgent) ? null : request.UserAgent[..Math.Min(request.UserAgent.Length, 512)];
        quote.TermsSha256 = Sha256(Terms(quote));
        quote.BlueprintSha256 = Sha256(blueprint.RootElement.GetRawText());
    }

    /// <summary>The text the terms hash is taken over.</summary>
    public static string Terms(Quote q) => string.Join('\n',
        $"quote_id={q.Id}",
        $"automation_version_id={q.AutomationVersionId}",
        $"kind={q.Kind}",
        $"currency={q.Currency}",
        $"setup_fee={Money.Format(q.SetupFee)}",
        $"unit_price={Money.FormatUnitPrice(q.UnitPrice)}",
        $"effective_unit_price={Money.FormatUnitPrice(q.EffectiveUnitPrice)}",
        $"estimated_volume={q.EstimatedVolume.ToString(CultureInfo.InvariantCulture)}",
        $"committed_volume={q.CommittedVolume?.ToString(CultureInfo.InvariantCulture) ?? ""}",
        $"supersedes_quote_id={q.SupersedesQuoteId?.ToString() ?? ""}",
        $"expires_at={q.ExpiresAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? ""}");

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
