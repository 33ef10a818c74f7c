using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow02_Login;

/// <summary>Flow 2 logout: ends the caller's session family (refresh and access tokens alike).</summary>
internal sealed class LogoutHandler(AppDbContext db, CurrentSession current, SessionDirectory directory, AuditTrail audit,
    TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<Success>> HandleAsync(LogoutRequest req, CancellationToken ct)
    {
        var session = current.Required;
        var userId = session.UserId!.Value;
        var families = new HashSet<Guid>();
        if (session.SessionId is { } own)
        {
            families.Add(own);
        }
        var result = await UnitOfWork.RunAsync<Success>(db, async () =>
        {
            if (!string.IsNullOrEmpty(req.RefreshToken))
            {
                var hash = Secrets.Hash(req.RefreshToken);
                // Only the caller's own sessions: someone else's token is silently ignored, revealing nothing.
                var other = await db.Sessions.AsNoTracking()
                    .Where(s => s.TokenHash == hash && s.UserId == userId).Select(s => (Guid?)s.FamilyId).FirstOrDefaultAsync(ct);
                if (other is { } f)
                {
                    families.Add(f);
                }
            }
            var now = clock.GetUtcNow();
            await db.RevokingForAsync(userId, ct);
            await db.Sessions.Where(s => families.Contains(s.FamilyId) && s.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, "logout"), ct);
            audit.Record("logout", "user", userId, new { session_families = families.Count });
            await db.SaveChangesAsync(ct);
            return Result.Success;
        }, ct);
        if (result.IsError)
        {
            return result;
        }
        // After the commit, so that no request can re-cache the family as alive in between.
        foreach (var family in families)
        {
            await directory.ForgetSessionAsync(family, ct);
        }
        return result;
    }
}
