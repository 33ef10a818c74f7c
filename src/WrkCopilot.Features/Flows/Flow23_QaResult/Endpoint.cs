using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow23_QaResult;

internal sealed class QaResultEndpoint(QaResultHandler handler) : ApiEndpoint<QaResultRequest, VersionSummary>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/qa");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 23 — record a version's QA result: pass → ready_to_launch (T6), fail → back to build (T7).";
            s.Description = "ops_admin or operator admin, acting in the version's own tenant. Pass needs every build-checklist task done or " +
                            "cancelled and notifies the client admins; fail needs notes, which go with the new build request. " +
                            "Optional If-Match: the row_version last read.";
            s.Responses[200] = "The version after the transition.";
            s.Responses[400] = "validation_failed: $.result is not pass or fail, $.notes missing on fail or too long.";
            s.Responses[403] = "forbidden: only ops_admin and operator admin record QA results (API keys never may).";
            s.Responses[404] = "No such version.";
            s.Responses[409] = "invalid_transition (not in qa_testing; names current_status), transition_guard_failed (open build-checklist tasks), or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
        });
    }

    protected override Task<ErrorOr<VersionSummary>> HandleRequestAsync(QaResultRequest req, CancellationToken ct) =>
        handler.RecordAsync(req, ct);
}
