using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow20_FinalizeBillingPeriod;

internal sealed class UpsertBillingPeriodEndpoint(BillingPeriodAdminHandler handler) : ApiEndpoint<UpsertBillingPeriodRequest, BillingPeriodView>
{
    public override void Configure()
    {
        Post("/v1/admin/billing-periods");
        Access(AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 20 — upsert a client workspace's draft billing period for a month with its current figures " +
                        "(a finalised period is returned unchanged).";
            s.Responses[400] = "Missing or unknown tenant ($.tenant_id), bad period ($.period).";
            s.Responses[403] = "forbidden: operator admin only.";
        });
    }

    protected override Task<ErrorOr<BillingPeriodView>> HandleRequestAsync(UpsertBillingPeriodRequest req, CancellationToken ct) =>
        handler.UpsertAsync(req, ct);
}

internal sealed class FinalizeBillingPeriodEndpoint(BillingPeriodAdminHandler handler) : ApiEndpoint<FinalizeBillingPeriodRequest, BillingPeriodView>
{
    public override void Configure()
    {
        Post("/v1/admin/billing-periods/{id}/finalize");
        Access(AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 20 — finalise a billing period: compute its lines and total one last time, draft → finalized, notify the client's admins.";
            s.Description = "Idempotent: a finalised period is immutable and finalising it again answers 200 with the frozen period, unchanged.";
            s.Responses[200] = "The finalised period.";
            s.Responses[403] = "forbidden: operator admin only.";
            s.Responses[404] = "No such billing period.";
            s.Responses[409] = "period_not_ended: the month is not over yet.";
        });
    }

    protected override Task<ErrorOr<BillingPeriodView>> HandleRequestAsync(FinalizeBillingPeriodRequest req, CancellationToken ct) =>
        handler.FinalizeAsync(req, ct);
}
