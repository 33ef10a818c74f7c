using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Flows.Flow02_Login;

public sealed record PasswordResetEmail(string EmailNormalized);

/// <summary>
/// Looks the email up, and when it has an account records a reset (token stored only as a hash, derived so
/// it is never at rest anywhere) and mails the link. The request that queued it did the same work either way.
/// Delivery is at least once: a retry may mail a second link; both work once, and using one ends the others.
/// </summary>
internal sealed class PasswordResetEmailJob(AppDbContext db, DerivedTokens tokens, IMailSender mail, IOptions<MailOptions> mailOptions,
    IOptions<AuthOptions> auth, TimeProvider clock) : IJobHandler
{
    public const string JobType = "password_reset_email";
    public const string Purpose = "password-reset";

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var payload = job.PayloadAs<PasswordResetEmail>();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.EmailNormalized == payload.EmailNormalized, ct);
        if (user is null)
        {
            return; // no account: nothing is sent, and the requester could not tell
        }
        var now = clock.GetUtcNow();
        var lifetime = auth.Value.PasswordResetLifetime;
        var reset = new PasswordResetToken
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, TokenHash = "", CreatedAt = now, ExpiresAt = now + lifetime,
        };
        var token = tokens.Issue(Purpose, reset.Id);
        reset.TokenHash = Secrets.Hash(token.Token);
        db.PasswordResetTokens.Add(reset);
        await db.SaveChangesAsync(ct);

        var link = mailOptions.Value.StudioLink("reset-password", token.Token);
        await mail.SendAsync(new EmailMessage(user.Email, "Reset your WRK Copilot password",
            "Someone asked to reset the password of your WRK Copilot account.\n\n" +
            $"Open {link} within {lifetime.TotalMinutes:0} minutes to choose a new one (reset code: {token.Token}). " +
            "The link works once. If you did not ask for this, ignore this email."), ct);
    }
}
