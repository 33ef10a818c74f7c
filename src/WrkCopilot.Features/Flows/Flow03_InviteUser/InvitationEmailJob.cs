using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

public sealed record InvitationEmail(Guid InvitationId, string Kid);

/// <summary>
/// Mails the acceptance link; the token is recomputed here from the invitation's id, never stored. At most once (as ADR 0011
/// for notifications): the send is claimed on the invitation (<c>email_sent_at</c>, committed) before it is made, so a job run
/// again after its completion mark was lost sends nothing. A send that certainly did not happen releases the claim; one whose
/// outcome is unknown (timeout, cancellation) keeps it.
/// </summary>
internal sealed class InvitationEmailJob(AppDbContext db, DerivedTokens tokens, IMailSender mail, IOptions<MailOptions> mailOptions,
    TimeProvider clock, ILogger<InvitationEmailJob> logger) : IJobHandler
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
        var tenantId = job.TenantId ?? throw new PermanentJobFailure("An invitation email needs a tenant.");
        if (!await ClaimAsync(tenantId, payload.InvitationId, clock.GetUtcNow(), ct))
        {
            return; // mailed (or being mailed) by an earlier run of this job
        }
        var token = tokens.Recompute(Purpose, payload.InvitationId, payload.Kid);
        var link = mailOptions.Value.StudioLink("invitations/accept", token);
        try
        {
            var sent = await mail.SendAsync(new EmailMessage(invitation.Email, $"You are invited to {invitation.Workspace} on WRK Copilot",
                $"You have been invited to join {invitation.Workspace} on WRK Copilot.\n\nAccept the invitation: {link}\n\n" +
                $"This link expires on {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC and works once."), ct);
            if (!sent)
            {
                await ClaimAsync(tenantId, payload.InvitationId, null, CancellationToken.None); // not configured: nothing went out
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // The send may or may not have gone out: the claim stays (at most once, ADR 11), and the job ends dead with the
            // reason instead of "succeeding" on a retry that finds the claim and sends nothing.
            throw new PermanentJobFailure($"The invitation email's send outcome is unknown ({ex.GetType().Name}); it is not sent again.");
        }
        catch (Exception)
        {
            await ReleaseQuietlyAsync(tenantId, payload.InvitationId);
            throw;
        }
    }

    /// <summary>Releases the claim after a send that certainly failed; a failed release must not hide the send's own error.</summary>
    private async Task ReleaseQuietlyAsync(Guid tenantId, Guid invitationId)
    {
        try
        {
            await ClaimAsync(tenantId, invitationId, null, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not release the email claim of invitation {InvitationId}; it will not be mailed again", invitationId);
        }
    }

    /// <summary>Claims the send (<paramref name="at"/> set, only if unclaimed), or releases it (null); true when the row changed.</summary>
    private Task<bool> ClaimAsync(Guid tenantId, Guid invitationId, DateTimeOffset? at, CancellationToken ct) => db.InTenantAsync(tenantId, async () =>
        await (at is { } claimedAt
            ? db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE invitations SET email_sent_at = {claimedAt} WHERE id = {invitationId} AND email_sent_at IS NULL", ct)
            : db.Database.ExecuteSqlInterpolatedAsync($"UPDATE invitations SET email_sent_at = NULL WHERE id = {invitationId}", ct)) == 1, ct);
}
