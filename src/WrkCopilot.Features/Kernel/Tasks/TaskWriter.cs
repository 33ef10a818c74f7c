using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Tasks;

public static class TaskContextTypes
{
    public const string Project = "project";
    public const string AutomationVersion = "automation_version";
    public const string Client = "client";
    public const string Internal = "internal";
}

public static class TaskKinds
{
    public const string Pricing = "pricing";
    public const string BuildChecklist = "build_checklist";
    public const string CredentialsIssue = "credentials_issue";
    public const string GeneralTodo = "general_todo";
    public const string ClientRetention = "client_retention";

    public static readonly IReadOnlyList<string> All = [Pricing, BuildChecklist, CredentialsIssue, GeneralTodo, ClientRetention];
}

public static class TaskStatuses
{
    public const string Todo = "todo";
    public const string InProgress = "in_progress";
    public const string Done = "done";
    public const string Blocked = "blocked";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Todo, InProgress, Done, Blocked, Cancelled];

    /// <summary>Finished work: counts as complete for the build checklist (the T6 guard agrees).</summary>
    public static bool IsClosed(string status) => status is Done or Cancelled;
}

public static class TaskPriorities
{
    public static readonly IReadOnlyList<string> All = ["low", "medium", "high", "urgent"];
}

/// <summary>What a flow asks for when it creates a task automatically (pricing, build checklist, credentials, block, retention).</summary>
public sealed record NewTask(
    string ContextType,
    Guid? ContextId,
    string Kind,
    string Title,
    string Visibility,
    Guid? AssigneeId = null,
    string Priority = "medium",
    string? Description = null,
    DateOnly? DueDate = null,
    Guid? CreatedById = null);

/// <summary>
/// The one way tasks are created, by staff (Flow 31) or by flows: the task goes into the unit of work's tenant, which is the
/// tenant of its context (flows run there; staff get there through <see cref="StaffElevation"/>). Adds the row to the unit of
/// work; the caller's single SaveChanges commits it with the change that caused it.
/// </summary>
public sealed class TaskWriter(AppDbContext db, TenantContext tenant, TimeProvider clock) : IHandler
{
    public TaskItem Create(NewTask task)
    {
        var tenantId = tenant.TenantId ?? throw new InvalidOperationException("Tasks need a tenant.");
        var now = clock.GetUtcNow();
        var row = new TaskItem
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            ContextType = task.ContextType,
            ContextId = task.ContextId,
            Kind = task.Kind,
            Title = TextLimits.Shorten(task.Title, 300, "…"),
            Description = task.Description,
            Status = TaskStatuses.Todo,
            Visibility = task.Visibility,
            AssigneeId = task.AssigneeId,
            DueDate = task.DueDate,
            Priority = task.Priority,
            CreatedById = task.CreatedById,
            RowVersion = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Tasks.Add(row);
        return row;
    }
}

/// <summary>
/// A project's <c>checklist_progress</c>: the percentage (0–100, rounded down) of the build-checklist tasks of the project's
/// version (context the version or the project) that are <c>done</c> or <c>cancelled</c>; 0 when it has none. Rounded down
/// so that 100 means every item is closed, which is what T6 requires.
/// </summary>
public sealed class ChecklistProgress(AppDbContext db, TimeProvider clock) : IHandler
{
    /// <summary>Recomputes the progress of the project a task belongs to, from tracked values (pending changes included).</summary>
    public async Task UpdateForAsync(TaskItem task, CancellationToken ct)
    {
        if (task.Kind != TaskKinds.BuildChecklist || task.ContextId is not { } contextId)
        {
            return;
        }
        var project = task.ContextType switch
        {
            TaskContextTypes.Project => await db.Projects.FirstOrDefaultAsync(p => p.Id == contextId, ct),
            TaskContextTypes.AutomationVersion => await db.Projects.FirstOrDefaultAsync(p => p.AutomationVersionId == contextId, ct),
            _ => null,
        };
        if (project is not null)
        {
            await RecomputeAsync(project, ct);
        }
    }

    public async Task RecomputeAsync(Project project, CancellationToken ct)
    {
        bool OfProject(TaskItem t) => t.Kind == TaskKinds.BuildChecklist &&
            ((t.ContextType == TaskContextTypes.AutomationVersion && t.ContextId == project.AutomationVersionId) ||
             (t.ContextType == TaskContextTypes.Project && t.ContextId == project.Id));
        // Loaded into the tracker, then read from it: a task changed in this unit of work keeps its new, unsaved status
        // (identity resolution) and tasks added but not yet saved count too.
        await db.Tasks
            .Where(t => t.Kind == TaskKinds.BuildChecklist &&
                        ((t.ContextType == TaskContextTypes.AutomationVersion && t.ContextId == project.AutomationVersionId) ||
                         (t.ContextType == TaskContextTypes.Project && t.ContextId == project.Id)))
            .LoadAsync(ct);
        var tasks = db.Tasks.Local.Where(OfProject).ToList();
        var progress = tasks.Count == 0 ? 0 : tasks.Count(t => TaskStatuses.IsClosed(t.Status)) * 100 / tasks.Count;
        if (project.ChecklistProgress != progress)
        {
            project.ChecklistProgress = progress;
            project.UpdatedAt = clock.GetUtcNow();
        }
    }
}
