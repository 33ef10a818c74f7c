using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Observability;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// A request to move a version to <paramref name="TargetStatus"/>. <paramref name="ExpectedRowVersions"/> are the
/// row versions the caller may have last seen (an <c>If-Match</c>); none current is 412 before anything is decided.
/// <paramref name="BlockKind"/> lets a worker say why it blocks (T11): <c>credentials</c> makes the block task a
/// <c>credentials_issue</c>; the generic endpoints never set it.
/// </summary>
public sealed record TransitionRequest(string TargetStatus, LifecycleActor Actor, string? Reason,
    TransitionEntry Entry = TransitionEntry.Direct, IReadOnlyList<long>? ExpectedRowVersions = null, string? BlockKind = null);

/// <summary>
/// Applies the kernel's decision to a tracked version inside the caller's unit of work: guards, the status
/// (the only writer of a version's and its project's status), one audit row, the effects, and one save.
/// It fails closed: a decision needing a required effect that no code implements is refused before anything
/// changes (checked before the guards, so an unavailable transition always says so rather than failing a guard
/// the caller could satisfy in vain), and an effect that cannot apply now undoes every pending change.
/// The row version is the version's EF concurrency token: a writer that committed first makes this save
/// fail (409 <c>concurrency_conflict</c> via the unit of work), so of two racing transitions exactly one wins.
/// Dedicated flow endpoints and workers (with <see cref="LifecycleActor.System"/>) call it too.
/// </summary>
public sealed class LifecycleTransitionHandler(
    AppDbContext db,
    AuditTrail audit,
    TimeProvider clock,
    IEnumerable<ITransitionGuard> guards,
    IEnumerable<ITransitionEffect> effects,
    WrkMetrics metrics) : IHandler
{
    /// <summary>
    /// Everything <see cref="ApplyAsync"/> checks before it changes anything (If-Match, the table, the caller's role,
    /// the effects' availability, the guards), writing nothing: the first transaction of a platform transition.
    /// </summary>
    public async Task<ErrorOr<Decision>> CheckAsync(AutomationVersion version, TransitionRequest request, CancellationToken ct)
    {
        if (request.ExpectedRowVersions is { } expected && !expected.Contains(version.RowVersion))
        {
            return AppErrors.PreconditionFailed($"The version changed (row_version is {version.RowVersion}, not {string.Join(" or ", expected)}); reload and retry.");
        }
        var decided = LifecycleKernel.Decide(version.Status, version.StatusBeforeBlocked, request.TargetStatus,
            request.Actor, request.Reason, request.Entry);
        if (decided.IsError)
        {
            return decided.Errors;
        }
        var decision = decided.Value;
        var row = decision.Transition;
        var context = new TransitionContext(version, decision, request.Actor, request.BlockKind);

        var missing = TransitionAvailability.MissingEffects(decision, effects.Select(e => e.Id));
        if (missing.Count > 0)
        {
            return LifecycleKernel.Unavailable(row, missing);
        }

        foreach (var hook in row.Guards)
        {
            var guard = guards.FirstOrDefault(g => g.Id == hook.Id)
                ?? throw new InvalidOperationException($"Guard '{hook.Id}' of {row.Id} is not registered.");
            if (await guard.CheckAsync(context, ct) is { } failure)
            {
                return LifecycleKernel.GuardFailure(row, hook.Id, failure);
            }
        }
        return decision;
    }

    public async Task<ErrorOr<Decision>> ApplyAsync(AutomationVersion version, TransitionRequest request, CancellationToken ct)
    {
        var checkedDecision = await CheckAsync(version, request, ct);
        if (checkedDecision.IsError)
        {
            return checkedDecision.Errors;
        }
        var decision = checkedDecision.Value;
        var row = decision.Transition;
        var context = new TransitionContext(version, decision, request.Actor, request.BlockKind);

        var now = clock.GetUtcNow();
        version.Status = decision.To;
        if (decision.To == VersionStatuses.Blocked)
        {
            version.StatusBeforeBlocked = decision.From;
            version.BlockedReason = decision.Reason;
        }
        else
        {
            // Blocked fields mean something only while blocked.
            version.StatusBeforeBlocked = null;
            version.BlockedReason = null;
        }
        version.UpdatedAt = now;

        var projects = await db.Projects.Where(p => p.AutomationVersionId == version.Id).ToListAsync(ct);
        foreach (var project in projects)
        {
            project.Status = decision.To;
            project.UpdatedAt = now;
        }

        audit.Record("status_transition", "automation_version", version.Id, new
        {
            from = decision.From,
            to = decision.To,
            reason = decision.Reason,
            transition = row.Id,
            caused_by = request.Actor.Cause,
        });

        foreach (var hook in row.Effects.Where(h => h.AppliesTo(decision)))
        {
            foreach (var effect in effects.Where(e => e.Id == hook.Id))
            {
                if (await effect.ApplyAsync(context, ct) is { } refusal)
                {
                    DiscardPendingChanges();
                    return LifecycleKernel.EffectUnavailable(row, hook.Id, refusal);
                }
            }
        }

        await db.SaveChangesAsync(ct);
        metrics.LifecycleTransition(decision.From, decision.To);
        return decision;
    }

    // The unit of work rolls the transaction back on an error; this also puts the tracked version (which the
    // caller may still read) and any row an earlier effect touched back as they were loaded.
    private void DiscardPendingChanges()
    {
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    entry.State = EntityState.Detached;
                    break;
                case EntityState.Modified or EntityState.Deleted:
                    entry.CurrentValues.SetValues(entry.OriginalValues);
                    entry.State = EntityState.Unchanged;
                    break;
            }
        }
    }
}
