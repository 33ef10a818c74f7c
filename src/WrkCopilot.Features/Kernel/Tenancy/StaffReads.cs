using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// Staff cross-tenant lists (<c>/v1/admin/*</c>): turns on <c>app.staff_read</c> for the open transaction (the
/// SELECT-only RLS policy) and the EF filter's staff switch. Writes stay scoped to one tenant. Call it only from
/// endpoints that declare staff roles; it refuses any other session.
/// </summary>
public sealed class StaffReads(AppDbContext db, TenantContext tenant, CurrentSession session) : IHandler
{
    public async Task EnableAsync(CancellationToken ct)
    {
        if (!session.Required.IsStaff)
        {
            throw new InvalidOperationException("Cross-tenant reads were attempted by a session that is not staff.");
        }
        tenant.EnableStaffRead();
        await db.ApplyTenantAsync(ct);
    }
}
