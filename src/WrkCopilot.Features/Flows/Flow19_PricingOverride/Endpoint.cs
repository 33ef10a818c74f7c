using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow19_PricingOverride;

internal sealed class CreatePricingOverrideEndpoint(PricingOverrideHandler handler) : ApiEndpoint<CreatePricingOverrideRequest, PricingOverrideView>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/pricing-overrides");
        Access(AppRoles.OperatorAdmin);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 19 — override a version's price (operator admin): a draft quote changes; a live or paused version's unit price " +
                        "changes for runs completed from now on (the client is notified).";
            s.Responses[201] = "The override as recorded (applied_to: draft_quote or billing).";
            s.Responses[400] = "Missing reason ($.reason), no override given or a bad money string ($.setup_fee_override, $.unit_price_override).";
            s.Responses[403] = "forbidden: operator admin only.";
            s.Responses[404] = "No such version.";
            s.Responses[409] = "quote_sent (re-draft first), setup_fee_not_overridable (live or paused), not_overridable (any other state).";
        });
    }

    protected override Task<ErrorOr<PricingOverrideView>> HandleRequestAsync(CreatePricingOverrideRequest req, CancellationToken ct) =>
        handler.CreateAsync(req, ct);
}

internal sealed class ListPricingOverridesEndpoint(PricingOverrideHandler handler) : ListEndpoint<ListPricingOverridesRequest, PricingOverrideView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/pricing-overrides");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 19 — the override history of a version, newest first (staff: the reasons are internal).";
            s.Responses[404] = "No such version.";
        });
    }

    protected override Task<ErrorOr<Page<PricingOverrideView>>> HandleRequestAsync(ListPricingOverridesRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}
