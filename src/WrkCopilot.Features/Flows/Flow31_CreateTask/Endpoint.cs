using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Flows.Flow31_CreateTask;

internal sealed class CreateTaskEndpoint(TasksHandler handler) : ApiEndpoint<CreateTaskRequest, TaskView>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/tasks");
        Idempotent();
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 31 — staff create a task on a project, version or client; it goes into that context's tenant.";
            s.Description = "The assignee must be a member of the context's tenant or a staff user; a staff-only task cannot be assigned " +
                            "to a client user. The assignee is notified. Audited in the context's tenant.";
            s.Responses[201] = "The task.";
            s.Responses[400] = "Unknown context_type, kind, priority or visibility, missing context_id or title, or a client assignee " +
                               "for a staff-only task ($.assignee_id).";
            s.Responses[403] = "forbidden: not staff.";
            s.Responses[404] = "No such context, or an assignee who is neither a member of its tenant nor staff.";
        });
    }

    protected override Task<ErrorOr<TaskView>> HandleRequestAsync(CreateTaskRequest req, CancellationToken ct) => handler.CreateAsync(req, ct);
}

internal sealed class ListTasksEndpoint(TasksHandler handler) : ListEndpoint<ListTasksRequest, TaskView>
{
    public override void Configure()
    {
        Get("/v1/tasks");
        Access([.. AppRoles.AnyClient, .. AppRoles.Staff]);
        Summary(s =>
        {
            s.Summary = "Flow 31 — the tasks of the caller's workspace, newest first; filters status, assignee_id, context_type, context_id, kind.";
            s.Description = "A client never sees staff-only tasks.";
            s.Responses[400] = "Unknown status, kind or context_type, or context_id without context_type.";
        });
    }

    protected override Task<ErrorOr<Page<TaskView>>> HandleRequestAsync(ListTasksRequest req, CancellationToken ct) => handler.ListAsync(req, ct);
}

internal sealed class AdminListTasksEndpoint(TasksHandler handler) : ListEndpoint<AdminListTasksRequest, TaskView>
{
    public override void Configure()
    {
        Get("/v1/admin/tasks");
        Access(AppRoles.Staff);
        Summary(s =>
        {
            s.Summary = "Flow 31 — staff: tasks across every tenant, newest first; filters tenant_id, visibility, status, assignee_id, context, kind.";
            s.Responses[400] = "Unknown status, kind, context_type or visibility.";
            s.Responses[403] = "forbidden: not staff.";
        });
    }

    protected override Task<ErrorOr<Page<TaskView>>> HandleRequestAsync(AdminListTasksRequest req, CancellationToken ct) =>
        handler.ListAcrossTenantsAsync(req, ct);
}
