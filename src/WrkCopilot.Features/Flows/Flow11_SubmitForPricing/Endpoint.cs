using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow11_SubmitForPricing;

internal sealed class SubmitForPricingEndpoint(SubmitForPricingHandler handler) : ApiEndpoint<SubmitForPricingRequest, SubmitForPricingResponse>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/submit");
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 11 — submit a version for pricing (T1): a draft quote priced from the rate card, a pricing task for ops.";
            s.Description = "Client admin or member, from intake_in_progress, with a blueprint of at least one step. The draft's setup fee is " +
                            "base + per step; its unit price comes from the complexity band of steps, decision steps and distinct systems " +
                            "(rate_card says which). Optional If-Match: the version's row_version last read.";
            s.Responses[200] = "The version in needs_pricing, the draft quote, and the rate card's reasoning.";
            s.Responses[403] = "forbidden: a viewer, staff or an API key.";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "invalid_transition (not intake_in_progress), transition_guard_failed (no step), or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match names another row_version.";
        });
    }

    protected override Task<ErrorOr<SubmitForPricingResponse>> HandleRequestAsync(SubmitForPricingRequest req, CancellationToken ct) =>
        handler.SubmitAsync(req, ct);
}
