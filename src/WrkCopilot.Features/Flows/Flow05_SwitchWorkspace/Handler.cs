using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow05_SwitchWorkspace;

/// <summary>
/// Flow 5: tokens for another workspace of the same user, in a new session family. One of the two places
/// a target tenant id is read from a request; the membership check is the whole authorisation.
/// </summary>
internal sealed class SwitchTenantHandler(AppDbContext db, CurrentSession current, TenantContext tenant, SessionIssuer sessions,
    AuditTrail audit) : IHandler
{
    public async Task<ErrorOr<TokenResponse>> HandleAsync(SwitchTenantRequest req, CancellationToken ct)
    {
        var session = current.Required;
        // A session from an external IdP stays the IdP's: switching would mint a local 30-day refresh family that
        // outlives the IdP's own token and its AllowOperatorAccess rule. Its user switches at the IdP (tenant claim).
        if (session.Method == AuthMethod.ExternalIdp)
        {
            return AppErrors.Forbidden("Sessions from an external identity provider switch workspace at the provider.", "external_session");
        }
        var userId = session.UserId!.Value;
        var target = (await db.UserMembershipsAsync(userId, ct)).FirstOrDefault(m => m.TenantId == req.TenantId);
        if (target is null)
        {
            return AppErrors.NotFound("Workspace");
        }
        tenant.Set(target.TenantId);
        await db.ApplyTenantAsync(ct);
        audit.Record("switch_tenant", "tenant", target.TenantId, new { from_tenant_id = session.TenantId });
        var tokens = sessions.Issue(userId, target.TenantId, target.Roles);
        await db.SaveChangesAsync(ct);
        return tokens;
    }
}

/// <summary>Flow 5: the caller, the active workspace and roles, and every membership.</summary>
internal sealed class MeHandler(AppDbContext db, CurrentSession current) : IHandler
{
    public async Task<ErrorOr<MeResponse>> HandleAsync(CancellationToken ct)
    {
        var session = current.Required;
        var userId = session.UserId!.Value;
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return AppErrors.Unauthorized();
        }
        var memberships = await db.UserMembershipsAsync(userId, ct);
        return new MeResponse(user.Id, user.Email, user.Name, session.TenantId, session.Roles,
            memberships.Select(m => new MembershipSummary(m.TenantId, m.TenantName, m.TenantKind, m.Roles)).ToList());
    }
}
