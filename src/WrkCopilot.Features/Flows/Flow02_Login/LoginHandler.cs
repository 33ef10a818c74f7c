using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow02_Login;

/// <summary>Flow 2 login: email + password → tokens for the user's first workspace; failures are throttled per email.</summary>
internal sealed class LoginHandler(AppDbContext db, TenantContext tenant, PasswordHasher hasher, ILoginThrottle throttle,
    SessionIssuer sessions, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<TokenResponse>> HandleAsync(LoginRequest req, CancellationToken ct)
    {
        var normalized = req.Email.Trim().ToLowerInvariant();
        // Counted before the password is checked, so a blocked email cannot confirm a guess and parallel
        // guesses cannot all pass before the first failure is recorded.
        if (await throttle.TryAcquireAsync(normalized) is { } wait)
        {
            return AppErrors.TooManyRequests(AuthErrorCodes.TooManyLoginAttempts,
                "Too many failed logins for this account; try again later.", wait);
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.EmailNormalized == normalized, ct);
        // Unknown email, wrong password and no workspace give the same answer after the same hashing work.
        var verified = hasher.Verify(req.Password, user?.PasswordHash);
        var first = verified && user is not null ? (await db.UserMembershipsAsync(user.Id, ct)).FirstOrDefault() : null;
        if (user is null || first is null)
        {
            return AppErrors.Unauthorized("The email or password is incorrect.", AuthErrorCodes.InvalidCredentials);
        }
        await throttle.ResetAsync(normalized);

        var now = clock.GetUtcNow();
        user.LastLoginAt = now;
        tenant.Set(first.TenantId);
        await db.ApplyTenantAsync(ct);
        // Anonymous request: the actor is the user who just proved who they are.
        audit.Record("login", "user", user.Id).UserId = user.Id;
        var tokens = sessions.Issue(user.Id, first.TenantId, first.Roles);
        await db.SaveChangesAsync(ct);
        return tokens;
    }
}
