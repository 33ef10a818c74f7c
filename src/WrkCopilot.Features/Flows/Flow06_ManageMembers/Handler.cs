using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow06_ManageMembers;

/// <summary>
/// Flow 6: an admin lists members, changes their roles and removes them. The workspace always keeps
/// at least one admin; removal revokes the member's sessions in this workspace.
/// </summary>
internal sealed class MembersHandler(AppDbContext db, CurrentSession current, SessionDirectory directory, AuditTrail audit,
    TimeProvider clock) : IHandler
{
    private const string AdminRole = "admin";

    public async Task<ErrorOr<Page<MemberView>>> ListAsync(ListMembersRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Tenant");
        }
        var rows = from m in db.Memberships.AsNoTracking()
                   join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                   select new MemberRow { MembershipId = m.Id, UserId = u.Id, Email = u.Email, Name = u.Name, Roles = m.Roles, JoinedAt = m.CreatedAt };
        return await rows.ToPageAsync(req, r => r.JoinedAt, r => r.MembershipId,
            r => new MemberView(r.UserId, r.Email, r.Name, r.Roles, r.JoinedAt), ct);
    }

    public async Task<ErrorOr<MemberView>> ChangeRolesAsync(ChangeRolesRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Member");
        }
        var valid = AppRoles.ValidFor(session.TenantKind);
        var roles = req.Roles.Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Find(r => !valid.Contains(r)) is { } invalid)
        {
            return AppErrors.Validation("$.roles", $"'{invalid}' is not a role of this workspace; allowed: {string.Join(", ", valid)}.");
        }
        await LockMembershipsAsync(session.TenantId, ct);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == req.UserId, ct);
        if (membership is null)
        {
            return AppErrors.NotFound("Member");
        }
        if (membership.Roles.Contains(AdminRole) && !roles.Contains(AdminRole) && await IsLastAdminAsync(ct))
        {
            return LastAdmin();
        }
        var from = membership.Roles.ToList();
        membership.Roles = roles;
        membership.UpdatedAt = clock.GetUtcNow();
        var revokedInvitations = from.Contains(AdminRole) && !roles.Contains(AdminRole)
            ? await RevokeInvitationsByAsync(membership.UserId, ct)
            : 0;
        audit.Record("member_roles_changed", "user", membership.UserId, new { from, to = roles, invitations_revoked = revokedInvitations });
        await db.SaveChangesAsync(ct);
        db.AfterCommit(token => directory.ForgetMembershipAsync(session.TenantId, membership.UserId, token).AsTask());

        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == membership.UserId, ct);
        return new MemberView(user.Id, user.Email, user.Name, roles, membership.CreatedAt);
    }

    public async Task<ErrorOr<Success>> RemoveAsync(RemoveMemberRequest req, CancellationToken ct)
    {
        var session = current.Required;
        if (req.TenantId != session.TenantId)
        {
            return AppErrors.NotFound("Member");
        }
        await LockMembershipsAsync(session.TenantId, ct);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == req.UserId, ct);
        if (membership is null)
        {
            return AppErrors.NotFound("Member");
        }
        if (membership.Roles.Contains(AdminRole) && await IsLastAdminAsync(ct))
        {
            return LastAdmin();
        }
        db.Memberships.Remove(membership);

        var now = clock.GetUtcNow();
        var revokedInvitations = await RevokeInvitationsByAsync(membership.UserId, ct);
        // No refresh of this user may slip a new session in between this revocation and its commit.
        await db.RevokingForAsync(membership.UserId, ct);
        var live = await db.Sessions
            .Where(s => s.UserId == membership.UserId && s.TenantId == session.TenantId && s.RevokedAt == null)
            .ToListAsync(ct);
        foreach (var s in live)
        {
            s.RevokedAt = now;
            s.RevokedReason = "membership_removed";
        }
        audit.Record("member_removed", "user", membership.UserId,
            new { roles = membership.Roles, sessions_revoked = live.Count, invitations_revoked = revokedInvitations });
        await db.SaveChangesAsync(ct);

        var families = live.Select(s => s.FamilyId).Distinct().ToList();
        db.AfterCommit(async token =>
        {
            await directory.ForgetMembershipAsync(session.TenantId, membership.UserId, token);
            foreach (var family in families)
            {
                await directory.ForgetSessionAsync(family, token);
            }
        });
        return Result.Success;
    }

    /// <summary>
    /// An admin who is removed or demoted no longer vouches for the people they invited: their open invitations
    /// in this tenant end with their power (an invitation is an admin's act, not the tenant's).
    /// </summary>
    private async Task<int> RevokeInvitationsByAsync(Guid inviterId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var tenantId = current.Required.TenantId;
        return await db.Invitations
            .Where(i => i.TenantId == tenantId && i.InvitedById == inviterId && i.AcceptedAt == null && i.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.RevokedAt, now), ct);
    }

    /// <summary>
    /// Locks every membership row of the tenant until commit, so two concurrent demotions or removals of the
    /// last two admins serialise and the second one counts what the first left (READ COMMITTED re-reads).
    /// </summary>
    private Task LockMembershipsAsync(Guid tenantId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM memberships WHERE tenant_id = {tenantId} FOR UPDATE", ct);

    private async Task<bool> IsLastAdminAsync(CancellationToken ct) =>
        await db.Memberships.CountAsync(m => m.Roles.Contains(AdminRole), ct) <= 1;

    private static Error LastAdmin() =>
        AppErrors.Conflict("last_admin", "A workspace must keep at least one admin; make someone else admin first.");

    private sealed class MemberRow
    {
        public Guid MembershipId { get; init; }
        public Guid UserId { get; init; }
        public string Email { get; init; } = "";
        public string Name { get; init; } = "";
        public List<string> Roles { get; init; } = [];
        public DateTimeOffset JoinedAt { get; init; }
    }
}
