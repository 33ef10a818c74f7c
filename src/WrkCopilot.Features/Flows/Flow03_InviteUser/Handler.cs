using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

/// <summary>Flow 3: an admin invites an email into the session's own tenant, lists and revokes invitations.</summary>
internal sealed class InvitationsHandler(AppDbContext db, CurrentSession current, AuditTrail audit, OutboxWriter outbox,
    IOptions<AuthOptions> auth, DerivedTokens tokens, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<InvitationCreated>> CreateAsync(CreateInvitationRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Tenant");
        }
        var valid = AppRoles.ValidFor(session.TenantKind);
        var roles = req.Roles.Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Find(r => !valid.Contains(r)) is { } invalid)
        {
            return AppErrors.Validation("$.roles", $"'{invalid}' is not a role of this workspace; allowed: {string.Join(", ", valid)}.");
        }

        var email = req.Email.Trim();
        var normalized = email.ToLowerInvariant();
        var existingUserId = await db.Users.Where(u => u.EmailNormalized == normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct);
        if (existingUserId is { } uid && await db.Memberships.AnyAsync(m => m.UserId == uid, ct))
        {
            return AppErrors.Conflict("already_member", "This person is already a member of this workspace.");
        }

        var now = clock.GetUtcNow();
        // One open invitation per email and tenant: a new invitation replaces the old, whose link stops working.
        var open = await db.Invitations
            .Where(i => i.TenantId == session.TenantId && i.EmailNormalized == normalized &&
                        i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ToListAsync(ct);
        foreach (var old in open)
        {
            old.RevokedAt = now;
        }

        var invitationId = Guid.CreateVersion7();
        var token = tokens.Issue(InvitationEmailJob.Purpose, invitationId);
        var invitation = new Invitation
        {
            Id = invitationId,
            TenantId = session.TenantId,
            Email = email,
            EmailNormalized = normalized,
            Roles = roles,
            TokenHash = Secrets.Hash(token.Token),
            InvitedById = session.UserId ?? Guid.Empty,
            CreatedAt = now,
            ExpiresAt = now + auth.Value.InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        audit.Record("invitation_created", "invitation", invitation.Id, new
        {
            email, roles, expires_at = invitation.ExpiresAt, replaced_invitation_ids = open.Select(o => o.Id).ToList(),
        });

        // The job recomputes the token from (id, kid): the outbox never holds it.
        outbox.Enqueue(Queues.Notifications, InvitationEmailJob.JobType, new InvitationEmail(invitation.Id, token.Kid));

        await db.SaveChangesAsync(ct);
        return new InvitationCreated(invitation.Id, invitation.Email, roles, invitation.ExpiresAt, token.Token);
    }

    public async Task<ErrorOr<Page<InvitationView>>> ListAsync(ListInvitationsRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Tenant");
        }
        var now = clock.GetUtcNow();
        return await db.Invitations.AsNoTracking()
            .Where(i => i.TenantId == session.TenantId)
            .ToPageAsync(req, i => i.CreatedAt, i => i.Id, i => new InvitationView(
                i.Id, i.Email, i.Roles, StatusOf(i, now), i.InvitedById, i.CreatedAt, i.ExpiresAt, i.AcceptedAt, i.RevokedAt), ct);
    }

    public async Task<ErrorOr<Success>> RevokeAsync(RevokeInvitationRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Invitation");
        }
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == req.Id && i.TenantId == session.TenantId, ct);
        if (invitation is null)
        {
            return AppErrors.NotFound("Invitation");
        }
        if (invitation.AcceptedAt is not null)
        {
            return AppErrors.Conflict("invitation_accepted", "This invitation was already accepted; remove the member instead.");
        }
        if (invitation.RevokedAt is not null)
        {
            return Result.Success; // revoking twice changes nothing
        }
        invitation.RevokedAt = clock.GetUtcNow();
        audit.Record("invitation_revoked", "invitation", invitation.Id, new { email = invitation.Email });
        await db.SaveChangesAsync(ct);
        return Result.Success;
    }

    private static InvitationStatus StatusOf(Invitation i, DateTimeOffset now) =>
        i.AcceptedAt is not null ? InvitationStatus.Accepted
        : i.RevokedAt is not null ? InvitationStatus.Revoked
        : i.ExpiresAt <= now ? InvitationStatus.Expired
        : InvitationStatus.Pending;
}
