using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Flows.Flow02_Login;

public sealed record PasswordResetEmail(Guid ResetId, string Kid);

/// <summary>Mails a reset link; the token is recomputed here from the reset row's id, never stored.</summary>
internal sealed class PasswordResetEmailJob(AppDbContext db, DerivedTokens tokens, IMailSender mail, IOptions<MailOptions> mailOptions,
    TimeProvider clock) : IJobHandler
{
    public const string JobType = "password_reset_email";
    public const string Purpose = "password-reset";

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var payload = job.PayloadAs<PasswordResetEmail>();
        var row = await db.PasswordResetTokens.AsNoTracking()
            .Where(r => r.Id == payload.ResetId)
            .Join(db.Users, r => r.UserId, u => u.Id, (r, u) => new { r.UsedAt, r.ExpiresAt, u.Email })
            .FirstOrDefaultAsync(ct);
        if (row is null || row.UsedAt is not null || row.ExpiresAt <= clock.GetUtcNow())
        {
            return; // nothing worth sending any more
        }
        var token = tokens.Recompute(Purpose, payload.ResetId, payload.Kid);
        var minutes = Math.Max(1, (int)(row.ExpiresAt - clock.GetUtcNow()).TotalMinutes);
        var link = mailOptions.Value.StudioLink("reset-password", token);
        await mail.SendAsync(new EmailMessage(row.Email, "Reset your WRK Copilot password",
            "Someone asked to reset the password of your WRK Copilot account.\n\n" +
            $"Open {link} within {minutes} minutes to choose a new one (reset code: {token}). " +
            "The link works once. If you did not ask for this, ignore this email."), ct);
    }
}
