using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// One scheme for <c>Authorization: Bearer …</c>: an API key (<c>wrk_live_…</c>), a JWT we issued, or a JWT
/// from a configured external IdP. Tenant and user come from the verified credential only; roles from
/// memberships. On success it fills <see cref="CurrentSession"/> and <see cref="TenantContext"/>.
/// </summary>
internal sealed class WrkAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessTokenIssuer localTokens,
    ExternalTokenValidator externalTokens,
    SessionDirectory directory,
    AppDbContext db,
    CurrentSession current,
    TenantContext tenant,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Wrk";
    public const string ApiKeyPrefix = "wrk_live_";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Only Bearer credentials are accepted.");
        }
        var token = header["Bearer ".Length..].Trim();
        var ct = Context.RequestAborted;
        var session = token.StartsWith(ApiKeyPrefix, StringComparison.Ordinal)
            ? await FromApiKeyAsync(token, ct)
            : await FromJwtAsync(token, ct);
        if (session is null)
        {
            // Nothing of a refused credential may scope the request.
            tenant.Clear();
            return AuthenticateResult.Fail("Invalid credentials.");
        }
        current.Set(session);
        tenant.Set(session.TenantId);
        var identity = new ClaimsIdentity(SchemeName);
        identity.AddClaim(new Claim("tenant_id", session.TenantId.ToString()));
        if (session.UserId is { } uid)
        {
            identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, uid.ToString()));
        }
        if (session.ApiKeyId is { } kid)
        {
            identity.AddClaim(new Claim("api_key_id", kid.ToString()));
        }
        identity.AddClaims(session.QualifiedRoles.Select(r => new Claim(ClaimTypes.Role, r)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private async Task<AuthenticatedSession?> FromApiKeyAsync(string token, CancellationToken ct)
    {
        if (!ApiKeyFormat.TryParse(token, out var prefix, out _))
        {
            return null;
        }
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
        var now = clock.GetUtcNow();
        if (key is null || !Secrets.FixedTimeEquals(key.SecretHash, Secrets.Hash(token)) ||
            key.RevokedAt is not null || (key.ExpiresAt is { } exp && exp <= now))
        {
            return null;
        }
        var kind = await directory.TenantKindAsync(key.TenantId, ct);
        if (kind is null)
        {
            return null;
        }
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(5))
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        return new AuthenticatedSession(key.TenantId, kind, null, [], key.Permissions, AuthMethod.ApiKey, ApiKeyId: key.Id);
    }

    private async Task<AuthenticatedSession?> FromJwtAsync(string token, CancellationToken ct)
    {
        string issuer;
        try
        {
            issuer = new JsonWebToken(token).Issuer;
        }
        catch (ArgumentException)
        {
            return null;
        }
        var local = await localTokens.ValidateAsync(token);
        if (local is not null)
        {
            if (!Guid.TryParse(local.FindFirst("sub")?.Value, out var userId) ||
                !Guid.TryParse(local.FindFirst("tenant_id")?.Value, out var tenantId) ||
                !Guid.TryParse(local.FindFirst("sid")?.Value, out var familyId) ||
                !await directory.SessionAliveAsync(familyId, ct))
            {
                return null;
            }
            var membership = await directory.MembershipAsync(tenantId, userId, ct);
            return membership is null
                ? null
                : new AuthenticatedSession(tenantId, membership.TenantKind, userId, membership.Roles, [], AuthMethod.Password, SessionId: familyId);
        }
        var external = externalTokens.Find(issuer);
        if (external is null)
        {
            return null;
        }
        var identity = await externalTokens.ValidateAsync(external, token, ct);
        var subject = identity?.FindFirst("sub")?.Value ?? identity?.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (identity is null || string.IsNullOrEmpty(subject) ||
            !Guid.TryParse(identity.FindFirst(external.TenantClaim)?.Value, out var extTenant))
        {
            return null;
        }
        var user = await db.Users.AsNoTracking()
            .FirstOrDefaultAsync(u => u.ExternalIssuer == external.Issuer && u.ExternalSubject == subject, ct);
        if (user is null)
        {
            return null;
        }
        var extMembership = await directory.MembershipAsync(extTenant, user.Id, ct);
        if (extMembership is null || (extMembership.TenantKind == TenantKinds.Operator && !external.AllowOperatorAccess))
        {
            return null;
        }
        return new AuthenticatedSession(extTenant, extMembership.TenantKind, user.Id, extMembership.Roles, [], AuthMethod.ExternalIdp);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problem.WriteAsync(Context, 401, "unauthorized", "Missing or invalid credentials.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem.WriteAsync(Context, 403, "forbidden", "Your role or key may not do this.");
}

/// <summary><c>wrk_live_&lt;prefix&gt;_&lt;secret&gt;</c>: the prefix finds the row, the whole key's hash proves it.</summary>
public static class ApiKeyFormat
{
    public static (string Key, string Prefix) Generate()
    {
        var prefix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        return ($"{WrkAuthenticationHandler.ApiKeyPrefix}{prefix}_{Secrets.NewToken(32)}", prefix);
    }

    public static bool TryParse(string key, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (!key.StartsWith(WrkAuthenticationHandler.ApiKeyPrefix, StringComparison.Ordinal) || key.Length > 200)
        {
            return false;
        }
        var rest = key[WrkAuthenticationHandler.ApiKeyPrefix.Length..];
        var sep = rest.IndexOf('_', StringComparison.Ordinal);
        if (sep != 12)
        {
            return false;
        }
        prefix = rest[..sep];
        secret = rest[(sep + 1)..];
        return secret.Length >= 20;
    }
}
