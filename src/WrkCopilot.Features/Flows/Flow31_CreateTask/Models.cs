using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow31_CreateTask;

public sealed class CreateTaskRequest
{
    /// <summary><c>project</c>, <c>automation_version</c> or <c>client</c>: the task goes into that row's tenant.</summary>
    public string ContextType { get; set; } = "";
    public Guid? ContextId { get; set; }
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public Guid? AssigneeId { get; set; }
    public DateOnly? DueDate { get; set; }
    public string Priority { get; set; } = "";
    public string Visibility { get; set; } = "";
}

public class ListTasksRequest : PageQuery
{
    [QueryParam]
    public string? Status { get; set; }

    [QueryParam]
    [BindFrom("assignee_id")]
    public Guid? AssigneeId { get; set; }

    [QueryParam]
    [BindFrom("context_type")]
    public string? ContextType { get; set; }

    [QueryParam]
    [BindFrom("context_id")]
    public Guid? ContextId { get; set; }

    [QueryParam]
    public string? Kind { get; set; }
}

public sealed class AdminListTasksRequest : ListTasksRequest
{
    [QueryParam]
    [BindFrom("tenant_id")]
    public Guid? TenantId { get; set; }

    [QueryParam]
    public string? Visibility { get; set; }
}
