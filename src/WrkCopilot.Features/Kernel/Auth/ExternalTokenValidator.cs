using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>Validates JWTs from the external IdPs in <c>Auth:ExternalIssuers</c> (keys from JWKS, cached 10 minutes).</summary>
public sealed class ExternalTokenValidator(IOptions<AuthOptions> options, IHttpClientFactory http, TimeProvider clock,
    ILogger<ExternalTokenValidator> logger)
{
    public const string HttpClientName = "external-idp";
    private static readonly TimeSpan KeyCacheDuration = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IList<SecurityKey> Keys)> _keys = new();
    private readonly JsonWebTokenHandler _handler = new();

    public ExternalIssuerOptions? Find(string issuer) => options.Value.ExternalIssuers.FirstOrDefault(i => i.Issuer == issuer);

    public async Task<ClaimsIdentity?> ValidateAsync(ExternalIssuerOptions issuer, string token, CancellationToken ct)
    {
        var keys = await KeysAsync(issuer, ct);
        if (keys.Count == 0)
        {
            return null;
        }
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (nbf, exp, _, p) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return (nbf is null || nbf.Value <= now + p.ClockSkew) && exp is not null && exp.Value > now - p.ClockSkew;
            },
        });
        return result.IsValid ? result.ClaimsIdentity : null;
    }

    private async Task<IList<SecurityKey>> KeysAsync(ExternalIssuerOptions issuer, CancellationToken ct)
    {
        if (_keys.TryGetValue(issuer.Issuer, out var cached) && clock.GetUtcNow() - cached.At < KeyCacheDuration)
        {
            return cached.Keys;
        }
        try
        {
            var json = issuer.Jwks ?? await http.CreateClient(HttpClientName).GetStringAsync(issuer.JwksUrl, ct);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys[issuer.Issuer] = (clock.GetUtcNow(), keys);
            return keys;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ArgumentException or System.Text.Json.JsonException)
        {
            logger.LogWarning(ex, "Could not load the signing keys of external issuer {Issuer}", issuer.Issuer);
            return cached.Keys ?? [];
        }
    }
}
