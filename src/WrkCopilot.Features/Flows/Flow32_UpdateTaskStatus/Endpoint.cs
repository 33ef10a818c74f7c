using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Flows.Flow32_UpdateTaskStatus;

internal sealed class UpdateTaskStatusEndpoint(UpdateTaskStatusHandler handler) : ApiEndpoint<UpdateTaskStatusRequest, TaskView>
{
    public override void Configure()
    {
        Patch("/v1/tasks/{id}/status");
        Access([AppRoles.ClientAdmin, AppRoles.ClientMember, .. AppRoles.Staff]); // viewers are read-only, even as assignees
        Summary(s =>
        {
            s.Summary = "Flow 32 — change a task's status; the project's checklist_progress follows.";
            s.Description = "Allowed to the assignee, a client admin (client-visible tasks) or staff (in the task's own tenant). " +
                            "checklist_progress = done or cancelled build-checklist tasks of the project's version × 100 / all of them, " +
                            "rounded down. Optional If-Match: the task's row_version. Audited.";
            s.Responses[200] = "The task after the change (unchanged when it already had that status).";
            s.Responses[400] = "Unknown status ($.status).";
            s.Responses[403] = "forbidden: a viewer, or neither the assignee, a client admin nor staff.";
            s.Responses[404] = "No such task in the caller's tenant (a client never finds a staff-only task).";
            s.Responses[409] = "concurrency_conflict: another change won the race.";
            s.Responses[412] = "precondition_failed: If-Match names another row_version.";
        });
    }

    protected override Task<ErrorOr<TaskView>> HandleRequestAsync(UpdateTaskStatusRequest req, CancellationToken ct) => handler.UpdateAsync(req, ct);
}
