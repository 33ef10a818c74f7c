using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// The local signing keys. Several can be active (validation tries the token's kid); one signs.
/// With no key configured, an ephemeral key is generated at start (local development only: tokens
/// do not survive a restart and instances do not share it).
/// </summary>
public sealed class SigningKeyRing
{
    private readonly Dictionary<string, SymmetricSecurityKey> _keys;

    public SigningKeyRing(IOptions<AuthOptions> options, IHostEnvironment environment, ILogger<SigningKeyRing> logger)
    {
        var configured = options.Value.SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k.Secret)).ToList();
        if (configured.Count == 0)
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException(
                    "Auth:SigningKeys is empty: production instances must share configured signing keys (see README, Configuration).");
            }
            // A kid unique to this process: a token or mailed-token job from another instance fails loudly, not silently.
            var kid = $"ephemeral-{Guid.NewGuid():N}"[..22];
            logger.LogWarning("No Auth:SigningKeys configured; using the ephemeral signing key {Kid} (tokens end with this process).", kid);
            configured = [new SigningKeyOptions { Kid = kid, Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }];
        }
        _keys = configured.ToDictionary(k => k.Kid, k =>
        {
            var bytes = Convert.FromBase64String(k.Secret);
            if (bytes.Length < 32)
            {
                throw new InvalidOperationException($"Auth signing key '{k.Kid}' must be at least 32 bytes.");
            }
            return new SymmetricSecurityKey(bytes) { KeyId = k.Kid };
        });
        var active = options.Value.ActiveKid ?? configured[0].Kid;
        Active = _keys.TryGetValue(active, out var key) ? key : throw new InvalidOperationException($"Auth:ActiveKid '{active}' is not among Auth:SigningKeys.");
    }

    public SymmetricSecurityKey Active { get; }

    public IEnumerable<SecurityKey> All => _keys.Values;

    public SymmetricSecurityKey? Find(string kid) => _keys.GetValueOrDefault(kid);
}

public sealed record IssuedAccessToken(string Token, int ExpiresIn);

public sealed class AccessTokenIssuer(SigningKeyRing keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedAccessToken Issue(Guid userId, Guid tenantId, IReadOnlyList<string> roles, Guid sessionFamilyId)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var expires = now + o.AccessTokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = userId.ToString(),
                ["tenant_id"] = tenantId.ToString(),
                ["roles"] = roles.ToArray(),
                ["sid"] = sessionFamilyId.ToString(),
                ["jti"] = Guid.CreateVersion7().ToString(),
            },
        };
        return new IssuedAccessToken(_handler.CreateToken(descriptor), (int)o.AccessTokenLifetime.TotalSeconds);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Issuer,
        ValidAudience = options.Value.Audience,
        IssuerSigningKeys = keys.All,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        LifetimeValidator = (nbf, exp, _, p) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return (nbf is null || nbf.Value <= now + p.ClockSkew) && exp is not null && exp.Value > now - p.ClockSkew;
        },
    };

    public async Task<ClaimsIdentity?> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters());
        return result.IsValid ? result.ClaimsIdentity : null;
    }
}
