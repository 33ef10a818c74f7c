using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow18_BillingSummary;

/// <summary>
/// Flow 18: a tenant's billing for one month, per version. A finalised period is answered frozen from its row
/// (<c>estimate: false</c>); any other (the current month, a draft) is computed live (<c>estimate: true</c>).
/// </summary>
internal sealed class BillingSummaryHandler(AppDbContext db, CurrentSession session, ResourceScope scope, BillingPeriods periods,
    TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<BillingSummary>> ForTenantAsync(TenantBillingSummaryRequest req, CancellationToken ct)
    {
        // A Studio path naming another tenant answers 404, whatever exists there.
        if (req.TenantId != session.Required.TenantId)
        {
            return AppErrors.NotFound("Tenant");
        }
        return await periods.SummaryAsync(req.TenantId, MonthOf(req.Period), ct);
    }

    public async Task<ErrorOr<BillingSummary>> ForClientAsync(ClientBillingSummaryRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("clients", "client", req.Id, ct))
        {
            return AppErrors.NotFound("Client");
        }
        var tenantId = await db.Clients.AsNoTracking().Where(c => c.Id == req.Id).Select(c => (Guid?)c.TenantId).FirstOrDefaultAsync(ct);
        if (tenantId is null)
        {
            return AppErrors.NotFound("Client");
        }
        return await periods.SummaryAsync(tenantId.Value, MonthOf(req.Period), ct);
    }

    private BillingMonth MonthOf(string? period) =>
        period is not null && BillingMonth.TryParse(period, out var month) ? month : BillingMonth.Of(clock.GetUtcNow());
}
