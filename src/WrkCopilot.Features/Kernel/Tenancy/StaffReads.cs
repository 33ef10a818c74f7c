using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Tenancy;

public static class StaffReads
{
    /// <summary>
    /// Opens the current transaction to reads across tenants (<c>app.staff_read = 'on'</c> and the EF filter), for the
    /// staff-only <c>/v1/admin/*</c> lists, after their operator-role check. Writes stay scoped to one tenant by RLS.
    /// </summary>
    public static async Task EnableStaffReadAsync(this AppDbContext db, CancellationToken ct)
    {
        db.Tenant.EnableStaffRead();
        await db.ApplyTenantAsync(ct);
    }
}
