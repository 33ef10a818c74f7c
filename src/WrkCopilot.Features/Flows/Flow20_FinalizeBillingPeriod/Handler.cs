using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow20_FinalizeBillingPeriod;

/// <summary>
/// Flow 20's admin side (operator admin): upsert a workspace's draft period, and finalise a period. The schedule
/// (<see cref="BillingFinalisationJob"/>) does both for every client workspace on the 1st of the month.
/// </summary>
internal sealed class BillingPeriodAdminHandler(AppDbContext db, TenantContext tenant, ResourceScope scope, BillingPeriods periods) : IHandler
{
    public async Task<ErrorOr<BillingPeriodView>> UpsertAsync(UpsertBillingPeriodRequest req, CancellationToken ct)
    {
        var tenantId = req.TenantId!.Value;
        // /v1/admin/* is where a target tenant may come from the request; writes then run in that tenant only.
        var kind = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Kind).FirstOrDefaultAsync(ct);
        if (kind != TenantKinds.Client)
        {
            return AppErrors.Validation("$.tenant_id", "No client workspace has this id.");
        }
        tenant.Set(tenantId);
        await db.ApplyTenantAsync(ct);
        BillingMonth.TryParse(req.Period, out var month);
        return BillingPeriodView.Of(await periods.UpsertDraftAsync(tenantId, month, ct));
    }

    public async Task<ErrorOr<BillingPeriodView>> FinalizeAsync(FinalizeBillingPeriodRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("billing_periods", "billing_period", req.Id, ct))
        {
            return AppErrors.NotFound("Billing period");
        }
        var row = await db.BillingPeriods.AsNoTracking().FirstOrDefaultAsync(p => p.Id == req.Id, ct);
        if (row is null)
        {
            return AppErrors.NotFound("Billing period");
        }
        var finalised = await periods.FinalizeAsync(row.TenantId, BillingMonth.Of(row.PeriodStart), ct);
        return finalised.IsError ? finalised.Errors : BillingPeriodView.Of(finalised.Value);
    }
}
