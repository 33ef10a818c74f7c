using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Kernel.Builds;

/// <summary>Configuration section <c>BuildChecklist</c>: the items QA works through after each build (Flow 31).</summary>
public sealed class BuildChecklistOptions
{
    public const string Section = "BuildChecklist";

    public static readonly IReadOnlyList<string> DefaultItems =
    [
        "Verify credentials",
        "Run test data",
        "Check outputs with the client",
    ];

    /// <summary>Task titles; empty or unset means <see cref="DefaultItems"/>.</summary>
    public string[]? Items { get; set; }

    public IReadOnlyList<string> EffectiveItems =>
        Items?.Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).Distinct().ToList() is { Count: > 0 } items ? items : DefaultItems;
}

/// <summary>
/// T5 (<c>build_checklist_tasks</c>, Flow 31): the first build gives the version its build-checklist tasks; a rebuild (after
/// T7 or T12) reopens every one of them, since the new workflow has to be checked again, and adds any item configured since.
/// The tasks' context is the version, which is what the T6 guard counts; they are staff work (the client follows the project's
/// <c>checklist_progress</c>), which is recomputed here in the same unit of work.
/// </summary>
internal sealed class BuildChecklistTasksEffect(AppDbContext db, TaskWriter tasks, ChecklistProgress progress,
    IOptions<BuildChecklistOptions> options, TimeProvider clock) : ITransitionEffect
{
    public const string EffectId = "build_checklist_tasks";

    public string Id => EffectId;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var existing = await db.Tasks
            .Where(t => t.Kind == TaskKinds.BuildChecklist && t.ContextType == TaskContextTypes.AutomationVersion && t.ContextId == version.Id)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var task in existing.Where(t => t.Status != TaskStatuses.Todo))
        {
            task.Status = TaskStatuses.Todo;
            task.RowVersion++; // a status update that read the task before the rebuild must lose (Flow 32)
            task.UpdatedAt = now;
        }
        var titles = existing.Select(t => t.Title).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var item in options.Value.EffectiveItems.Where(i => !titles.Contains(i)))
        {
            tasks.Create(new NewTask(TaskContextTypes.AutomationVersion, version.Id, TaskKinds.BuildChecklist, item, Visibility.Staff,
                Description: $"Build checklist of version {version.Version}."));
        }
        foreach (var project in await db.Projects.Where(p => p.AutomationVersionId == version.Id).ToListAsync(ct))
        {
            await progress.RecomputeAsync(project, ct);
        }
        return null;
    }
}
