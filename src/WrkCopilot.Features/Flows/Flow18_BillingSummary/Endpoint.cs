using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow18_BillingSummary;

internal sealed class TenantBillingSummaryEndpoint(BillingSummaryHandler handler) : ApiEndpoint<TenantBillingSummaryRequest, BillingSummary>
{
    public override void Configure()
    {
        Get("/v1/tenants/{tenantId}/billing-summary");
        Access(AppRoles.ClientAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 18 — the workspace's billing for a month (?period=YYYY-MM, default the current UTC month), per version.";
            s.Description = "Per version: runs (final status, by completed_at in the month, UTC), one price line per unit price in force, usage " +
                            "spend and setup fees; then adjustments for earlier finalised months, the committed minimum, the shortfall and the " +
                            "total. estimate is false only for a finalised period, whose figures are frozen.";
            s.Responses[400] = "Bad period ($.period).";
            s.Responses[403] = "forbidden: only a client admin.";
            s.Responses[404] = "Not the caller's workspace.";
        });
    }

    protected override Task<ErrorOr<BillingSummary>> HandleRequestAsync(TenantBillingSummaryRequest req, CancellationToken ct) =>
        handler.ForTenantAsync(req, ct);
}

internal sealed class ClientBillingSummaryEndpoint(BillingSummaryHandler handler) : ApiEndpoint<ClientBillingSummaryRequest, BillingSummary>
{
    public override void Configure()
    {
        Get("/v1/admin/clients/{id}/billing-summary");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 18 — a client's billing for a month (staff); the same figures as the workspace's own summary.";
            s.Responses[400] = "Bad period ($.period).";
            s.Responses[404] = "No such client.";
        });
    }

    protected override Task<ErrorOr<BillingSummary>> HandleRequestAsync(ClientBillingSummaryRequest req, CancellationToken ct) =>
        handler.ForClientAsync(req, ct);
}
