using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow24B_Resume;

internal sealed class ResumeEndpoint(ResumeHandler handler) : ApiEndpoint<ResumeRequest, VersionSummary>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/resume");
        Access(AppRoles.ClientAdmin, AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 24B — resume a paused version (T10): its WRK workflow activated, binding active.";
            s.Description = "Client admin, ops_admin or operator admin (staff act in the version's tenant); API keys never. The version must be " +
                            "paused, with a workflow binding. The WRK Platform is called between two transactions. Optional body { \"reason\" }; optional If-Match: the row_version last read.";
            s.Responses[200] = "The version after the transition.";
            s.Responses[400] = "Reason too long ($.reason).";
            s.Responses[403] = "forbidden: the caller's role may not (API keys never may).";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "invalid_transition (not paused), transition_guard_failed (no binding), platform_rejected, or concurrency_conflict (a retry converges).";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
            s.Responses[503] = "platform_unavailable: the WRK Platform is down or timed out; nothing changed; retry after Retry-After.";
        });
    }

    // The WRK Platform is called between two transactions of the handler's own, never inside one.
    protected override bool Transactional => false;

    protected override Task<ErrorOr<VersionSummary>> HandleRequestAsync(ResumeRequest req, CancellationToken ct) =>
        handler.ResumeAsync(req, ct);
}
