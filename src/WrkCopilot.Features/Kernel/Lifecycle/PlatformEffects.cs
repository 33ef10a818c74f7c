using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// T8 (Flow 24) and T10 (Flow 24B): the version's WRK workflow was activated by <see cref="PlatformTransitions"/> before this
/// transaction; the binding becomes <c>active</c>. Refuses when that call was not made for this request.
/// </summary>
internal sealed class ActivateWorkflowEffect(AppDbContext db, PlatformCallRecord calls, TimeProvider clock) : ITransitionEffect
{
    public string Id => TransitionTable.EffectIds.ActivateWorkflow;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var binding = await db.WorkflowBindings.FirstOrDefaultAsync(b => b.AutomationVersionId == context.Version.Id, ct);
        return binding is null
            ? "The version has no WRK workflow binding to activate."
            : calls.Record(binding, PlatformAction.Activate, clock.GetUtcNow());
    }
}

/// <summary>
/// T9 (Flow 24A): the version's WRK workflow was deactivated before this transaction; the binding becomes <c>inactive</c>.
/// A live version without a binding (none was ever built) has nothing to pause on the platform.
/// </summary>
internal sealed class PauseWorkflowEffect(AppDbContext db, PlatformCallRecord calls, TimeProvider clock) : ITransitionEffect
{
    public string Id => TransitionTable.EffectIds.PauseWorkflow;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var binding = await db.WorkflowBindings.FirstOrDefaultAsync(b => b.AutomationVersionId == context.Version.Id, ct);
        return binding is null ? null : calls.Record(binding, PlatformAction.Deactivate, clock.GetUtcNow());
    }
}

/// <summary>
/// T8 (Flow 24): the launched version replaces every other version of its automation that is live or paused, or blocked
/// from one of them: each is archived through the kernel (T13, audited, its open tasks cancelled, its binding recorded
/// inactive: its workflow was deactivated before this transaction), as a consequence of T8 so T8's actor may do it.
/// </summary>
internal sealed class ArchivePreviousLiveVersionsEffect(IServiceProvider services) : ITransitionEffect
{
    public string Id => TransitionTable.EffectIds.ArchivePreviousLiveVersions;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        // Resolved here: the kernel that runs this effect is also what archives (a constructor dependency would be a cycle).
        var platform = services.GetRequiredService<PlatformTransitions>();
        var lifecycle = services.GetRequiredService<LifecycleTransitionHandler>();
        var actor = context.Actor.ConsequenceOf(context.Decision.Transition.Id);
        foreach (var other in await platform.ReplacedByAsync(context.Version, ct))
        {
            var archived = await lifecycle.ApplyAsync(other,
                new TransitionRequest(VersionStatuses.Archived, actor, $"Replaced by {context.Version.Version}."), ct);
            if (archived.IsError)
            {
                return $"Version {other.Version} could not be archived: {archived.FirstError.Description}";
            }
        }
        return null;
    }
}
