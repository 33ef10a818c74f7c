using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>A single-use token derived from a row id and a server key, and which key derived it.</summary>
public sealed record DerivedToken(string Token, string Kid);

/// <summary>
/// Tokens that must be mailed (password reset, invitation) are derived — HMAC-SHA256 of purpose and row id
/// under a signing key — rather than random, so the mail job can recompute them from the row id and the
/// key id. Only their hash is stored and the outbox never holds them: a database or backup leak does not
/// yield a usable token. Rotating keys keeps old ones configured for a while, so queued mails still work.
/// </summary>
public sealed class DerivedTokens(SigningKeyRing keys)
{
    public DerivedToken Issue(string purpose, Guid id) => new(Compute(keys.Active.Key, purpose, id), keys.Active.KeyId);

    /// <summary>For the job that mails it; a key no longer configured is a failure no retry can fix.</summary>
    public string Recompute(string purpose, Guid id, string kid) => keys.Find(kid) is { } key
        ? Compute(key.Key, purpose, id)
        : throw new Outbox.PermanentJobFailure($"Signing key '{kid}' is no longer configured; the {purpose} token cannot be recomputed.");

    private static string Compute(byte[] key, string purpose, Guid id) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"wrk-derived-token:{purpose}:{id:N}")));
}
