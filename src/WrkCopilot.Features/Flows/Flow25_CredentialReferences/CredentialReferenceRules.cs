using System.Text.RegularExpressions;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

/// <summary>
/// What a credential reference is (the WRK Platform's id of credentials it stores: <c>cred_</c> + 6–64 of
/// <c>[A-Za-z0-9_-]</c>), and what looks like a secret pasted in its place (ADR 14). A value that looks like a secret is
/// refused with a message that never repeats it. The checks are heuristics on purpose: a false refusal costs a support
/// question, a stored secret costs a rotation.
/// </summary>
internal static partial class CredentialReferenceRules
{
    public const string Pattern = "^cred_[A-Za-z0-9_-]{6,64}$";
    public const string FormatMessage = "Must be a WRK Platform credential reference: cred_ followed by 6 to 64 letters, digits, '_' or '-'.";

    /// <summary>Bits per character above which a long run is taken for random key material (hex tops out at 4).</summary>
    private const double RandomEntropy = 4.5;

    public static bool IsReference(string value) => Format().IsMatch(value);

    /// <summary>Why <paramref name="value"/> looks like a secret, or null when it does not.</summary>
    public static string? SecretSign(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.Contains("-----BEGIN", StringComparison.OrdinalIgnoreCase))
        {
            return "a PEM key block";
        }
        if (Jwt().IsMatch(value))
        {
            return "a JSON Web Token";
        }
        if (KnownPrefix().IsMatch(value))
        {
            return "a known API key or token prefix";
        }
        if (Assignment().IsMatch(value))
        {
            return "a password or key assignment";
        }
        if (UrlWithPassword().IsMatch(value))
        {
            return "a URL with a password";
        }
        if (SecretUrl().IsMatch(value))
        {
            return "a URL that grants access by itself (a signed URL or an incoming-webhook URL)";
        }
        if (AuthScheme().IsMatch(value))
        {
            return "an Authorization header value";
        }
        foreach (Match run in TokenRun().Matches(value))
        {
            if (HexRun().IsMatch(run.Value) || Entropy(run.Value) >= RandomEntropy)
            {
                return "long random key material";
            }
        }
        return null;
    }

    public static string SecretMessage(string sign) =>
        $"This looks like a secret ({sign}). Store the secret on the WRK Platform and send its credential reference (cred_…) instead; secrets are never accepted here.";

    /// <summary>Shannon entropy in bits per character.</summary>
    internal static double Entropy(string s)
    {
        var counts = new Dictionary<char, int>();
        foreach (var c in s)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }
        return counts.Values.Sum(n => -(double)n / s.Length * Math.Log2((double)n / s.Length));
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant, 100)]
    private static partial Regex Format();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Jwt();

    // Stripe, Slack, GitHub, GitLab, AWS, Google (API keys and OAuth client secrets), SendGrid, OpenAI-style, npm, Shopify, webhook secrets and our own API keys.
    [GeneratedRegex(@"(?<![A-Za-z0-9])(sk|rk)[_-]|(?<![A-Za-z0-9])(xox[abposr]-|xapp-|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|npm_|shpat_|shpss_|whsec_|wrk_live_|GOCSPX-)|(?<![A-Za-z0-9])(AKIA|ASIA)[0-9A-Z]{12,}|AIza[0-9A-Za-z_-]{20,}|SG\.[A-Za-z0-9_-]{10,}\.",
        RegexOptions.CultureInvariant, 100)]
    private static partial Regex KnownPrefix();

    // "token" only with "=": "Invalid token: expired" is an ordinary error message.
    [GeneratedRegex(@"(password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key)\s*[=:]\s*\S|token\s*=\s*\S",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 100)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 100)]
    private static partial Regex UrlWithPassword();

    // Signed URLs (Azure SAS, S3 presigned) and incoming-webhook URLs carry their credential in the URL itself.
    [GeneratedRegex(@"[?&](sig|signature|x-amz-signature)=[^&\s]{8,}|hooks\.slack\.com/services/|outlook\.office\.com/webhook/|discord(app)?\.com/api/webhooks/",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 100)]
    private static partial Regex SecretUrl();

    [GeneratedRegex(@"(^|\s)(bearer|basic)\s+[A-Za-z0-9+/=._~-]{20,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 100)]
    private static partial Regex AuthScheme();

    // Runs of 40+ token characters are judged by their entropy (or as hex key material).
    [GeneratedRegex(@"[A-Za-z0-9+/=_-]{40,}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex TokenRun();

    [GeneratedRegex(@"^[0-9a-fA-F-]{40,}$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex HexRun();
}
