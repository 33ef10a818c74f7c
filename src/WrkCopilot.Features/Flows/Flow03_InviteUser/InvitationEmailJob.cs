using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

public sealed record InvitationEmail(Guid InvitationId, string Kid);

/// <summary>Mails the acceptance link; the token is recomputed here from the invitation's id, never stored.</summary>
internal sealed class InvitationEmailJob(AppDbContext db, DerivedTokens tokens, IMailSender mail, IOptions<MailOptions> mailOptions,
    TimeProvider clock) : IJobHandler
{
    public const string JobType = "invitation_email";
    public const string Purpose = "invitation";

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var payload = job.PayloadAs<InvitationEmail>();
        var invitation = await db.Invitations.AsNoTracking()
            .Where(i => i.Id == payload.InvitationId)
            .Join(db.Tenants, i => i.TenantId, t => t.Id, (i, t) => new { i.Email, i.ExpiresAt, i.AcceptedAt, i.RevokedAt, Workspace = t.Name })
            .FirstOrDefaultAsync(ct);
        if (invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= clock.GetUtcNow())
        {
            return; // replaced, revoked, used or expired before it could be mailed
        }
        var token = tokens.Recompute(Purpose, payload.InvitationId, payload.Kid);
        var link = mailOptions.Value.StudioLink("invitations/accept", token);
        await mail.SendAsync(new EmailMessage(invitation.Email, $"You are invited to {invitation.Workspace} on WRK Copilot",
            $"You have been invited to join {invitation.Workspace} on WRK Copilot.\n\nAccept the invitation: {link}\n\n" +
            $"This link expires on {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC and works once."), ct);
    }
}
