using ErrorOr;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow13_StatusRouter;

internal sealed class ChangeVersionStatusEndpoint(StatusRouterHandler handler) : ApiEndpoint<ChangeVersionStatusRequest, VersionStatusResponse>
{
    public override void Configure()
    {
        Patch("/v1/automation-versions/{id}/status");
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 13 — move a version through its lifecycle (generic entry point of the status router).";
            s.Description = "Accepts the transitions of the lifecycle table that are reachable from this endpoint and that the caller's role may make. " +
                            "Staff act in the version's own tenant. Optional If-Match: the row_version last read.";
            s.Responses[200] = "The version after the transition.";
            s.Responses[400] = "Unknown status ($.status) or reason too long ($.reason).";
            s.Responses[403] = "forbidden: the caller's role may not make this transition.";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "invalid_transition (names current_status and allowed_targets), transition_guard_failed, platform_rejected, or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match names another row_version.";
            s.Responses[503] = "platform_unavailable (T8-T10, T13 of an active workflow): the WRK Platform is down; nothing changed; Retry-After.";
        });
    }

    // T8-T10 and T13 call the WRK Platform between two transactions of their own.
    protected override bool Transactional => false;

    protected override Task<ErrorOr<VersionStatusResponse>> HandleRequestAsync(ChangeVersionStatusRequest req, CancellationToken ct) =>
        handler.ChangeVersionStatusAsync(req, ct);
}

internal sealed class ChangeProjectStatusEndpoint(StatusRouterHandler handler) : ApiEndpoint<ChangeProjectStatusRequest, ProjectStatusResponse>
{
    public override void Configure()
    {
        Patch("/v1/admin/projects/{id}/status");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 13 — staff move a project's version through its lifecycle (generic admin entry point).";
            s.Description = "Staff only. Acts in the project's own tenant; the audit rows go there with the staff user as actor. " +
                            "Optional If-Match: the version's row_version last read.";
            s.Responses[200] = "The project's version after the transition.";
            s.Responses[400] = "Unknown status ($.status) or reason too long ($.reason).";
            s.Responses[403] = "forbidden: not staff, or the staff role may not make this transition.";
            s.Responses[404] = "No such project.";
            s.Responses[409] = "invalid_transition (names current_status and allowed_targets), transition_guard_failed, platform_rejected, or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match names another row_version.";
            s.Responses[503] = "platform_unavailable (T8-T10, T13 of an active workflow): the WRK Platform is down; nothing changed; Retry-After.";
        });
    }

    protected override bool Transactional => false;

    protected override Task<ErrorOr<ProjectStatusResponse>> HandleRequestAsync(ChangeProjectStatusRequest req, CancellationToken ct) =>
        handler.ChangeProjectStatusAsync(req, ct);
}
