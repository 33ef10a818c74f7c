namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string Issuer { get; set; } = "wrk-copilot";
    public string Audience { get; set; } = "wrk-copilot-api";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Signing keys (HS256, base64 secrets of ≥ 32 bytes). Several may be active so keys rotate without logging anyone out.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>The kid that signs new tokens; defaults to the first key.</summary>
    public string? ActiveKid { get; set; }

    /// <summary>PBKDF2-SHA256 iterations for new password hashes (≥ 600,000 in production).</summary>
    public int PasswordIterations { get; set; } = 600_000;

    public int LoginMaxFailures { get; set; } = 5;
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long roles loaded from memberships may be cached (the spec's upper bound is 30 s).</summary>
    public TimeSpan RoleCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>External IdPs whose JWTs are accepted, mapped to users by <c>sub</c>.</summary>
    public List<ExternalIssuerOptions> ExternalIssuers { get; set; } = [];
}

public sealed class SigningKeyOptions
{
    public string Kid { get; set; } = "";
    public string Secret { get; set; } = "";
}

public sealed class ExternalIssuerOptions
{
    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";
    /// <summary>JWKS document URL (RSA/EC keys).</summary>
    public string? JwksUrl { get; set; }
    /// <summary>Alternatively, inline JWKS JSON.</summary>
    public string? Jwks { get; set; }
    /// <summary>The claim carrying the tenant id.</summary>
    public string TenantClaim { get; set; } = "tenant_id";
    /// <summary>Tokens from this IdP never grant operator-tenant access unless this is true.</summary>
    public bool AllowOperatorAccess { get; set; }
}
