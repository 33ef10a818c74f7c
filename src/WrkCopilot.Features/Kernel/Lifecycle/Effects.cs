using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// T13: an archived version has no open work. Cancels the open tasks whose context is the version or its project.
/// </summary>
internal sealed class CancelOpenTasksEffect(AppDbContext db, TimeProvider clock) : ITransitionEffect
{
    private static readonly string[] OpenStatuses = ["todo", "in_progress", "blocked"];

    public string Id => TransitionTable.EffectIds.CancelOpenTasks;

    public async Task ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var versionId = context.Version.Id;
        var projectIds = await db.Projects.Where(p => p.AutomationVersionId == versionId).Select(p => p.Id).ToListAsync(ct);
        var tasks = await db.Tasks
            .Where(t => OpenStatuses.Contains(t.Status) &&
                        ((t.ContextType == "automation_version" && t.ContextId == versionId) ||
                         (t.ContextType == "project" && t.ContextId != null && projectIds.Contains(t.ContextId.Value))))
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var task in tasks)
        {
            task.Status = "cancelled";
            task.UpdatedAt = now;
        }
    }
}
