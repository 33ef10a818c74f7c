using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow04_AcceptInvitation;

/// <summary>
/// Flow 4: redeems an invitation token once. A new email gets an account (the token proves the address);
/// an existing account must be the caller. The membership is written in the invited tenant.
/// </summary>
internal sealed class AcceptInvitationHandler(AppDbContext db, TenantContext tenant, CurrentSession current,
    PasswordHasher hasher, SessionIssuer sessions, SessionDirectory directory, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<InvitationAccepted>> HandleAsync(AcceptInvitationRequest req, CancellationToken ct)
    {
        var hash = Secrets.Hash(req.Token);
        // Locked so two redemptions of one token serialise: the second sees accepted_at and gets 410.
        var invitation = (await db.Invitations
            .FromSql($"SELECT * FROM invitations WHERE token_hash = {hash} FOR UPDATE")
            .ToListAsync(ct)).FirstOrDefault();
        var now = clock.GetUtcNow();
        if (invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now)
        {
            // One answer for unknown, used, revoked and expired, so tokens cannot be probed.
            return AppErrors.Gone("invitation_invalid", "This invitation link is invalid, expired, revoked or already used.");
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.EmailNormalized == invitation.EmailNormalized, ct);
        var created = user is null;
        if (user is null)
        {
            var missing = new List<Error>();
            if (string.IsNullOrWhiteSpace(req.Name))
            {
                missing.Add(AppErrors.Validation("$.name", "A name is required to create your account."));
            }
            if (string.IsNullOrEmpty(req.Password))
            {
                missing.Add(AppErrors.Validation("$.password", "A password is required to create your account."));
            }
            if (missing.Count > 0)
            {
                return missing;
            }
            user = new User
            {
                Id = Guid.CreateVersion7(), Email = invitation.Email, EmailNormalized = invitation.EmailNormalized,
                Name = req.Name!.Trim(), PasswordHash = hasher.Hash(req.Password!), CreatedAt = now, UpdatedAt = now,
            };
            db.Users.Add(user);
        }
        else
        {
            var session = current.Value;
            if (session is null || session.IsApiKey || session.UserId is null)
            {
                return AppErrors.Unauthorized("This email has an account: log in as it, then accept the invitation.", "login_required");
            }
            if (session.UserId != user.Id)
            {
                return AppErrors.Forbidden("This invitation was sent to another email than the one you are logged in with.",
                    "invitation_email_mismatch");
            }
        }

        // The membership row lives in the invited tenant: make it the unit of work's tenant (RLS sees it).
        tenant.Set(invitation.TenantId);
        await db.ApplyTenantAsync(ct);
        if (!created && await db.Memberships.AnyAsync(m => m.UserId == user.Id, ct))
        {
            return AppErrors.Conflict("already_member", "You are already a member of this workspace.");
        }
        db.Memberships.Add(new Membership
        {
            Id = Guid.CreateVersion7(), TenantId = invitation.TenantId, UserId = user.Id, Roles = [.. invitation.Roles],
            CreatedAt = now, UpdatedAt = now,
        });
        invitation.AcceptedAt = now;
        invitation.AcceptedUserId = user.Id;
        audit.Record("invitation_accepted", "invitation", invitation.Id, new
        {
            user_id = user.Id, email = invitation.Email, roles = invitation.Roles, account_created = created,
        });

        InvitationAccepted result;
        if (created)
        {
            var tokens = sessions.Issue(user.Id, invitation.TenantId, invitation.Roles);
            result = new InvitationAccepted(tokens.TenantId, tokens.UserId, tokens.Roles, tokens.AccessToken, tokens.RefreshToken,
                tokens.TokenType, tokens.ExpiresIn);
        }
        else
        {
            result = new InvitationAccepted(invitation.TenantId, user.Id, invitation.Roles);
        }
        await db.SaveChangesAsync(ct);
        // A "not a member" answer may be cached from before (e.g. a switch attempt).
        db.AfterCommit(token => directory.ForgetMembershipAsync(invitation.TenantId, user.Id, token).AsTask());
        return result;
    }
}
