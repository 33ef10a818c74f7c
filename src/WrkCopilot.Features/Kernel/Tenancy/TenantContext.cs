namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// The tenant a unit of work (a request or a job) runs in. Scoped per request/job. Both walls read it:
/// the EF query filter and the transaction interceptor that sets <c>app.tenant_id</c> for RLS.
/// </summary>
public sealed class TenantContext
{
    public Guid? TenantId { get; private set; }

    /// <summary>Staff cross-tenant reads (<c>/v1/admin/*</c> lists) after the operator-role check.</summary>
    public bool StaffRead { get; private set; }

    public void Set(Guid tenantId)
    {
        TenantId = tenantId;
        StaffRead = false;
    }

    public void EnableStaffRead() => StaffRead = true;

    public void Clear()
    {
        TenantId = null;
        StaffRead = false;
    }
}
