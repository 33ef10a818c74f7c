using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// T13: an archived version has no open work. Cancels the open tasks whose context is the version or its project.
/// </summary>
internal sealed class CancelOpenTasksEffect(AppDbContext db, TimeProvider clock) : ITransitionEffect
{
    private static readonly string[] OpenStatuses = ["todo", "in_progress", "blocked"];

    public string Id => TransitionTable.EffectIds.CancelOpenTasks;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
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
            task.Status = TaskStatuses.Cancelled;
            task.RowVersion++; // a status update that read the task before the archive must lose (Flow 32)
            task.UpdatedAt = now;
        }
        return null;
    }
}

/// <summary>
/// T11: a blocked version needs someone to unblock it, so staff get a high-priority task on the version
/// (never shown to the client: the reason may name internal details). A worker that blocks on credentials
/// says so through <see cref="TransitionRequest.BlockKind"/> and the task becomes a <c>credentials_issue</c>.
/// </summary>
internal sealed class BlockTaskEffect(TaskWriter tasks) : ITransitionEffect
{
    public const string CredentialsBlock = "credentials";
    private const int MaxReasonInTitle = 120;

    public string Id => TransitionTable.EffectIds.BlockTask;

    public Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var reason = context.Decision.Reason ?? "";
        var shortReason = TextLimits.Shorten(reason, MaxReasonInTitle, "…");
        tasks.Create(new NewTask(
            TaskContextTypes.AutomationVersion,
            version.Id,
            context.BlockKind == CredentialsBlock ? TaskKinds.CredentialsIssue : TaskKinds.GeneralTodo,
            $"Version {version.Version} blocked: {shortReason}",
            Visibility.Staff,
            Priority: "high",
            Description: reason,
            CreatedById: context.Actor.UserId));
        return Task.FromResult<string?>(null);
    }
}

/// <summary>
/// T13: archiving must not leave the version's WRK workflow running. A binding not known to be inactive (active, or any
/// other status: the database may lag the platform) is turned off on the platform by
/// <see cref="PlatformTransitions"/> between two transactions; this effect only records that outcome (binding
/// <c>inactive</c>), and refuses (fails closed) when the call was not made for this request.
/// </summary>
internal sealed class DeactivateWorkflowEffect(AppDbContext db, PlatformCallRecord calls, TimeProvider clock) : ITransitionEffect
{
    public string Id => TransitionTable.EffectIds.DeactivateWorkflow;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var binding = await db.WorkflowBindings.FirstOrDefaultAsync(b => b.AutomationVersionId == context.Version.Id, ct);
        if (binding is null || binding.Status == PlatformTransitions.BindingInactive)
        {
            return null;
        }
        return calls.Record(binding, PlatformAction.Deactivate, clock.GetUtcNow());
    }
}
