using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

public enum WebhookVerification
{
    Valid,
    MissingHeaders,
    TimestampOutOfWindow,
    BadSignature,
}

/// <summary>
/// Standard Webhooks v1 (flows.md, Flow 27): the signed content is <c>{webhook-id}.{webhook-timestamp}.{raw body}</c>, the
/// signature header holds space-separated <c>v1,&lt;base64 HMAC-SHA256&gt;</c> entries, secrets are <c>whsec_&lt;base64&gt;</c>.
/// The WRK Platform simulator signs with <see cref="Sign"/>; the webhook verifies with <see cref="Verify"/>.
/// </summary>
public static class WebhookSignatures
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private const string SecretPrefix = "whsec_";

    /// <summary>The key bytes of a <c>whsec_…</c> secret; null when it is not one.</summary>
    public static byte[]? KeyOf(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null; // the spec's form is whsec_<base64>; anything else is a configuration mistake, refused at start
        }
        var encoded = secret[SecretPrefix.Length..];
        try
        {
            var key = Convert.FromBase64String(encoded);
            return key.Length >= 16 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A fresh secret (32 random bytes) in the <c>whsec_</c> form.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>v1,…</c> signature of a message.</summary>
    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = KeyOf(secret) ?? throw new ArgumentException("Not a whsec_ secret.", nameof(secret));
        return "v1," + Convert.ToBase64String(Mac(key, id, timestamp, body));
    }

    /// <summary>
    /// Checks the headers of a delivery against every configured secret (rotation): valid when any <c>v1</c> entry matches
    /// any secret, compared in constant time, and the timestamp is within ±5 minutes of <paramref name="now"/>.
    /// </summary>
    public static WebhookVerification Verify(IReadOnlyList<byte[]> keys, string? id, string? timestamp, string? signatures,
        ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures) || id.Length > 256)
        {
            return WebhookVerification.MissingHeaders;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return WebhookVerification.MissingHeaders;
        }
        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (sent < now - Tolerance || sent > now + Tolerance)
        {
            return WebhookVerification.TimestampOutOfWindow;
        }
        Span<byte> candidate = stackalloc byte[32];
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(16))
        {
            if (!entry.StartsWith("v1,", StringComparison.Ordinal) ||
                !Convert.TryFromBase64String(entry[3..], candidate, out var written) || written != 32)
            {
                continue;
            }
            foreach (var key in keys)
            {
                if (CryptographicOperations.FixedTimeEquals(Mac(key, id, seconds, body), candidate))
                {
                    return WebhookVerification.Valid;
                }
            }
        }
        return WebhookVerification.BadSignature;
    }

    private static byte[] Mac(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
