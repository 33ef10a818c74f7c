using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow02_Login;

/// <summary>Flow 2 password reset, step 1: mail a single-use token; the answer never tells whether the account exists.</summary>
internal sealed class PasswordResetHandler(AppDbContext db, OutboxWriter outbox) : IHandler
{
    public const string Accepted = "accepted";

    public async Task<ErrorOr<PasswordResetAccepted>> HandleAsync(PasswordResetRequest req, CancellationToken ct)
    {
        // The same work whether or not the email has an account (the job looks it up), so neither the answer
        // nor its timing tells an attacker which emails are registered.
        outbox.Enqueue(Queues.Notifications, PasswordResetEmailJob.JobType, new PasswordResetEmail(req.Email.Trim().ToLowerInvariant()));
        await db.SaveChangesAsync(ct);
        return new PasswordResetAccepted(Accepted);
    }
}

/// <summary>Flow 2 password reset, step 2: spend the token, set the password, end every session of the user.</summary>
internal sealed class PasswordResetConfirmHandler(AppDbContext db, PasswordHasher hasher, SessionDirectory directory,
    ILoginThrottle throttle, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<Success>> HandleAsync(PasswordResetConfirmRequest req, CancellationToken ct)
    {
        var families = new List<Guid>();
        string? emailNormalized = null;
        var result = await UnitOfWork.RunAsync<Success>(db, async () =>
        {
            var now = clock.GetUtcNow();
            var hash = Secrets.Hash(req.Token);
            var row = await db.PasswordResetTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
            // Claiming the token with a conditional update makes it single-use even under concurrent confirms.
            var claimed = row is null || row.ExpiresAt <= now ? 0 : await db.PasswordResetTokens
                .Where(t => t.Id == row.Id && t.UsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.UsedAt, now), ct);
            if (claimed == 0)
            {
                return AppErrors.Gone(AuthErrorCodes.ResetTokenInvalid, "This reset link is expired, already used or unknown; ask for a new one.");
            }
            // No refresh may slip a new session in between this revocation and its commit.
            await db.RevokingForAsync(row!.UserId, ct);
            var user = await db.Users.FirstAsync(u => u.Id == row.UserId, ct);
            user.PasswordHash = hasher.Hash(req.Password);
            // Any other reset link still in a mailbox dies with this one.
            await db.PasswordResetTokens.Where(t => t.UserId == user.Id && t.UsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.UsedAt, now), ct);
            user.UpdatedAt = now;
            emailNormalized = user.EmailNormalized;
            families = await db.Sessions.Where(s => s.UserId == user.Id && s.RevokedAt == null)
                .Select(s => s.FamilyId).Distinct().ToListAsync(ct);
            await db.Sessions.Where(s => s.UserId == user.Id && s.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, "password_reset"), ct);
            await db.SaveChangesAsync(ct);
            return Result.Success;
        }, ct);
        if (result.IsError)
        {
            return result;
        }
        foreach (var family in families)
        {
            await directory.ForgetSessionAsync(family, ct);
        }
        // Whoever holds the mailbox has proved it; earlier failed guesses no longer lock the account.
        await throttle.ResetAsync(emailNormalized!);
        return result;
    }
}
