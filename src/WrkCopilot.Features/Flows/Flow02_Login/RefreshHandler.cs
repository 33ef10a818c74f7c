using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow02_Login;

/// <summary>
/// Flow 2 refresh: rotates the refresh token inside its family. A token presented again after rotation
/// (or after revocation) means it leaked: the whole family is revoked, access tokens included.
/// </summary>
internal sealed class RefreshHandler(AppDbContext db, SessionIssuer sessions, SessionDirectory directory, TimeProvider clock) : IHandler
{
    public const string ReuseDetected = "reuse_detected";

    private Guid? _reusedFamily;

    public async Task<ErrorOr<TokenResponse>> HandleAsync(RefreshRequest req, CancellationToken ct)
    {
        _reusedFamily = null;
        var result = await UnitOfWork.RunAsync(db, () => RotateAsync(req.RefreshToken, ct), ct);

        // Outside the rolled-back unit of work, so the revocation sticks although the answer is an error.
        if (_reusedFamily is { } family)
        {
            var now = clock.GetUtcNow();
            await db.Sessions.Where(s => s.FamilyId == family && s.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, ReuseDetected), ct);
            await directory.ForgetSessionAsync(family, ct);
        }
        return result;
    }

    private async Task<ErrorOr<TokenResponse>> RotateAsync(string refreshToken, CancellationToken ct)
    {
        var hash = Secrets.Hash(refreshToken);
        var presented = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.TokenHash == hash, ct);
        if (presented is null)
        {
            return AppErrors.Unauthorized("The refresh token is not valid.", AuthErrorCodes.InvalidRefreshToken);
        }
        if (presented.RotatedAt is not null || presented.RevokedAt is not null)
        {
            return Reused(presented.FamilyId);
        }
        // Wait for any revocation of this user in flight, then look again: it may have revoked this token.
        await db.IssuingForAsync(presented.UserId, ct);
        if (await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == presented.Id && (s.RotatedAt != null || s.RevokedAt != null), ct))
        {
            return Reused(presented.FamilyId);
        }
        var now = clock.GetUtcNow();
        if (presented.ExpiresAt <= now)
        {
            return AppErrors.Unauthorized("The refresh token has expired; log in again.", AuthErrorCodes.RefreshTokenExpired);
        }
        // Roles come from the membership as it is now, never from the old token.
        var membership = (await db.UserMembershipsAsync(presented.UserId, ct)).FirstOrDefault(m => m.TenantId == presented.TenantId);
        if (membership is null)
        {
            return AppErrors.Unauthorized("You are no longer a member of this workspace.", AuthErrorCodes.InvalidRefreshToken);
        }

        var tokens = sessions.Issue(presented.UserId, presented.TenantId, membership.Roles, presented.FamilyId);
        var newHash = Secrets.Hash(tokens.RefreshToken);
        var replacement = db.Sessions.Local.First(s => s.TokenHash == newHash);
        await db.SaveChangesAsync(ct);

        // The conditional update is the race guard: of two concurrent refreshes with one token, one rotates it,
        // the other is a reuse.
        var rotated = await db.Sessions
            .Where(s => s.Id == presented.Id && s.RotatedAt == null && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RotatedAt, now).SetProperty(s => s.ReplacedById, replacement.Id), ct);
        return rotated == 1 ? tokens : Reused(presented.FamilyId);
    }

    private Error Reused(Guid familyId)
    {
        _reusedFamily = familyId;
        return AppErrors.Unauthorized("This refresh token was already used; every session of its family is now revoked.",
            AuthErrorCodes.RefreshTokenReused);
    }
}
