using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// Staff acting on one client resource: the resource's own tenant (read from the row through the
/// <c>app_resource_tenant</c> SECURITY DEFINER lookup, never from the request) becomes the unit of work's
/// tenant, and the elevation itself is audited there. Call it inside the unit of work's transaction, only
/// from endpoints that declare the staff roles allowed.
/// </summary>
public sealed class StaffElevation(AppDbContext db, TenantContext tenant, CurrentSession session, AuditTrail audit) : IHandler
{
    /// <summary>
    /// Moves the unit of work into the tenant of <paramref name="table"/>/<paramref name="resourceId"/>.
    /// Returns that tenant, or null when the resource does not exist (the caller answers 404).
    /// </summary>
    public async Task<Guid?> ElevateAsync(string table, string resourceType, Guid resourceId, CancellationToken ct)
    {
        if (!session.Required.IsStaff)
        {
            throw new InvalidOperationException("Staff elevation was attempted by a session that is not staff.");
        }
        var owner = await db.Database
            .SqlQuery<Guid?>($"SELECT app_resource_tenant({table}, {resourceId}) AS \"Value\"")
            .SingleAsync(ct);
        if (owner is not { } resourceTenant)
        {
            return null;
        }
        tenant.Set(resourceTenant);
        await db.ApplyTenantAsync(ct);
        audit.Record("staff_elevation", resourceType, resourceId, new { resource_type = resourceType, resource_id = resourceId });
        // Saved now (inside the unit of work's transaction) so that a read, which saves nothing else, is audited too.
        await db.SaveChangesAsync(ct);
        return resourceTenant;
    }
}
