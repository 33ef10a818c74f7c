using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>The token answer of signup, login, refresh and switch-tenant (Flow 2).</summary>
public sealed record TokenResponse(
    string AccessToken,
    string RefreshToken,
    string TokenType,
    int ExpiresIn,
    Guid TenantId,
    Guid UserId,
    IReadOnlyList<string> Roles);

/// <summary>
/// Opens (or continues) a refresh-token session and issues the access token. The refresh token is
/// opaque and stored only as a hash; a family id ties rotations together so reuse can revoke them all.
/// Adds the session row to the current unit of work.
/// </summary>
public sealed class SessionIssuer(AppDbContext db, AccessTokenIssuer tokens, IOptions<AuthOptions> options,
    TimeProvider clock, IHttpContextAccessor http) : IHandler
{
    public TokenResponse Issue(Guid userId, Guid tenantId, IReadOnlyList<string> roles, Guid? familyId = null)
    {
        var now = clock.GetUtcNow();
        var refresh = Secrets.NewToken(32);
        var session = new Session
        {
            Id = Guid.CreateVersion7(),
            FamilyId = familyId ?? Guid.CreateVersion7(),
            UserId = userId,
            TenantId = tenantId,
            TokenHash = Secrets.Hash(refresh),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
            UserAgent = Truncate(http.HttpContext?.Request.Headers.UserAgent.ToString(), 512),
            IpAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
        };
        db.Sessions.Add(session);
        var access = tokens.Issue(userId, tenantId, roles, session.FamilyId);
        return new TokenResponse(access.Token, refresh, "Bearer", access.ExpiresIn, tenantId, userId, roles);
    }

    internal static string? Truncate(string? s, int max) => s is null ? null : TextLimits.Shorten(s, max);
}
