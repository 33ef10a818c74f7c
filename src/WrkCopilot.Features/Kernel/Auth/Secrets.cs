using System.Security.Cryptography;
using System.Text;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>Opaque tokens (refresh, invitation, reset, API-key secrets): random, stored only as SHA-256.</summary>
public static class Secrets
{
    public static string NewToken(int bytes = 32) => Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}

/// <summary>PBKDF2-HMAC-SHA256; the iteration count is stored with each hash so it can be raised later.</summary>
public sealed class PasswordHasher(Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public string Hash(string password)
    {
        var iterations = options.Value.PasswordIterations;
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"pbkdf2-sha256${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public bool Verify(string password, string? stored)
    {
        if (stored is null)
        {
            // Same work as a real check, so timing does not reveal whether the account exists.
            Rfc2898DeriveBytes.Pbkdf2(password, new byte[SaltBytes], options.Value.PasswordIterations, HashAlgorithmName.SHA256, HashBytes);
            return false;
        }
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations))
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}

/// <summary>Flow 1's password policy: at least 12 characters and not in a small breached-password list.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;

    private static readonly HashSet<string> Breached = new(StringComparer.OrdinalIgnoreCase)
    {
        "123456789012", "1234567890123", "12345678901234", "password1234", "password12345", "passwordpassword",
        "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234", "111111111111", "000000000000", "123123123123",
        "abcdefghijkl", "abc123abc123", "letmein12345", "welcome12345", "welcome123456", "adminadmin12",
        "administrator", "passw0rd1234", "p@ssw0rd1234", "football1234", "baseball1234", "sunshine1234",
        "princess1234", "dragon123456", "monkey123456", "trustno11234", "superman1234", "1q2w3e4r5t6y",
        "qazwsxedcrfv", "zaq12wsxcde3", "changeme1234", "correcthorsebatterystaple", "mypassword12",
        "password123!", "Password123!", "Welcome2024!", "Welcome2025!", "Welcome2026!", "Summer2026!!",
    };

    public static string? Check(string password)
    {
        if (password.Length < MinLength)
        {
            return $"Passwords must be at least {MinLength} characters.";
        }
        if (password.Length > 256)
        {
            return "Passwords must be at most 256 characters.";
        }
        if (Breached.Contains(password) || password.Distinct().Count() <= 2)
        {
            return "This password appears in breached-password lists; choose another.";
        }
        return null;
    }
}
