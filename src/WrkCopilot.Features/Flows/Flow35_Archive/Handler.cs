using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow35_Archive;

/// <summary>
/// Flow 35: archive a version (T13 through the lifecycle kernel) or a whole automation (T13 for each of its versions
/// that is not archived yet: every version is archived or none is). A version whose workflow is active is turned off on
/// the WRK Platform between two transactions first (<see cref="PlatformTransitions"/>), so the endpoints are not transactional.
/// </summary>
internal sealed class ArchiveHandler(AppDbContext db, ResourceScope scope, CurrentSession session, LifecycleTransitionHandler lifecycle,
    PlatformTransitions transitions, VersionMove move, AutomationViews views, AuditTrail audit, TimeProvider clock) : IHandler
{
    public Task<ErrorOr<VersionSummary>> ArchiveVersionAsync(ArchiveVersionRequest req, CancellationToken ct) =>
        move.MoveAsync(req.Id, VersionStatuses.Archived, req.Reason, req.IfMatch, "T13", ct);

    public async Task<ErrorOr<AutomationView>> ArchiveAutomationAsync(ArchiveAutomationRequest req, CancellationToken ct)
    {
        var actor = LifecycleActor.Of(session.Required);
        var request = new TransitionRequest(VersionStatuses.Archived, actor, req.Reason);
        var first = await UnitOfWork.RunAsync<Prepared>(db, async () =>
        {
            if (!await scope.EnterAsync("automations", "automation", req.Id, ct))
            {
                return AppErrors.NotFound("Automation");
            }
            var locked = await LockAsync(req.Id, ct);
            if (locked.IsError)
            {
                return locked.Errors;
            }
            var (automation, versions) = locked.Value;
            var plans = new List<PlatformPlan>();
            foreach (var version in versions)
            {
                var decided = await lifecycle.CheckAsync(version, request, ct);
                if (decided.IsError)
                {
                    return decided.Errors;
                }
                if (await transitions.PlanAsync(version, decided.Value, ct) is { } plan)
                {
                    plans.Add(plan);
                }
            }
            if (plans.Count == 0)
            {
                var done = await ArchiveAllAsync(automation, versions, request, ct);
                return done.IsError ? done.Errors : new Prepared(await views.OfAsync(automation, ct), null, null);
            }
            // Every version is watched, not only those with a workflow: the second transaction archives them all.
            var all = new PlatformPlan(PlatformPlan.Combine(plans).Calls, versions.ToDictionary(v => v.Id, v => v.RowVersion));
            var lease = await transitions.ClaimAsync(automation.Id, all, ct);
            return lease.IsError ? lease.Errors : new Prepared(null, all, lease.Value);
        }, ct);
        if (first.IsError)
        {
            return first.Errors;
        }
        if (first.Value.Plan is not { } needed)
        {
            return first.Value.Archived!;
        }

        // Once the platform has changed, the second transaction runs even if the client went away, and undoes the calls if it
        // fails. It starts by releasing the lease, which locks the automation, so no launch of it can commit between the check
        // and the archive.
        return await transitions.CallThenCommitOrUndoAsync<AutomationView>(needed, first.Value.Lease!, async after =>
        {
            var unchanged = await transitions.VerifyUnchangedAsync(needed, after);
            if (unchanged.IsError)
            {
                return unchanged.Errors;
            }
            var locked = await LockAsync(req.Id, after);
            if (locked.IsError)
            {
                return locked.Errors;
            }
            var (automation, versions) = locked.Value;
            if (!versions.Select(v => v.Id).ToHashSet().SetEquals(needed.Watched.Keys))
            {
                return AppErrors.ConcurrencyConflict();
            }
            var done = await ArchiveAllAsync(automation, versions, request, after);
            return done.IsError ? done.Errors : await views.OfAsync(automation, after);
        }, ct);
    }

    /// <summary>Archived already (nothing needed the platform), or the platform calls to make first.</summary>
    private sealed record Prepared(AutomationView? Archived, PlatformPlan? Plan, PlatformLease? Lease);

    // Serialises with Flow 12's new version, so no version can appear while the automation is being archived.
    private async Task<ErrorOr<(Automation Automation, List<AutomationVersion> Versions)>> LockAsync(Guid id, CancellationToken ct)
    {
        var automation = await db.Automations.FromSql($"SELECT * FROM automations WHERE id = {id} FOR UPDATE").FirstOrDefaultAsync(ct);
        if (automation is null)
        {
            return AppErrors.NotFound("Automation");
        }
        if (automation.ArchivedAt is not null)
        {
            return AppErrors.Conflict("already_archived", "The automation is already archived.");
        }
        var versions = await db.AutomationVersions.Where(v => v.AutomationId == automation.Id && v.Status != VersionStatuses.Archived)
            .OrderBy(v => v.Major).ThenBy(v => v.Minor).ToListAsync(ct);
        return (automation, versions);
    }

    private async Task<ErrorOr<Success>> ArchiveAllAsync(Automation automation, List<AutomationVersion> versions, TransitionRequest request,
        CancellationToken ct)
    {
        foreach (var version in versions)
        {
            var applied = await lifecycle.ApplyAsync(version, request, ct);
            if (applied.IsError)
            {
                return applied.Errors;
            }
        }
        var now = clock.GetUtcNow();
        automation.ArchivedAt = now;
        automation.UpdatedAt = now;
        audit.Record("automation_archived", "automation", automation.Id, new
        {
            reason = request.Reason,
            archived_versions = versions.Select(v => v.Version).ToList(),
        });
        await db.SaveChangesAsync(ct);
        return Result.Success;
    }
}
