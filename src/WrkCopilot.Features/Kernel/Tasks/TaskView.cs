using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Kernel.Tasks;

/// <summary>A task as the API shows it (Flows 31 and 32 and any later reader share one shape).</summary>
public sealed record TaskView(
    Guid Id,
    Guid TenantId,
    string ContextType,
    Guid? ContextId,
    string Kind,
    string Title,
    string? Description,
    string Status,
    string Visibility,
    Guid? AssigneeId,
    DateOnly? DueDate,
    string Priority,
    Guid? CreatedById,
    long RowVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TaskView From(TaskItem t) => new(t.Id, t.TenantId, t.ContextType, t.ContextId, t.Kind, t.Title, t.Description,
        t.Status, t.Visibility, t.AssigneeId, t.DueDate, t.Priority, t.CreatedById, t.RowVersion, t.CreatedAt, t.UpdatedAt);
}
