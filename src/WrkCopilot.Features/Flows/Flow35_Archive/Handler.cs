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
/// that is not archived yet, all in one transaction: every version is archived or none is).
/// </summary>
internal sealed class ArchiveHandler(AppDbContext db, ResourceScope scope, CurrentSession session, LifecycleTransitionHandler lifecycle,
    AutomationViews views, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<VersionSummary>> ArchiveVersionAsync(ArchiveVersionRequest req, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(VersionStatuses.Archived, LifecycleActor.Of(session.Required), req.Reason, TransitionEntry.Direct, expected.Value), ct);
        return applied.IsError ? applied.Errors : VersionSummary.Of(version);
    }

    public async Task<ErrorOr<AutomationView>> ArchiveAutomationAsync(ArchiveAutomationRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automations", "automation", req.Id, ct))
        {
            return AppErrors.NotFound("Automation");
        }
        // Serialises with Flow 12's new version, so no version can appear while the automation is being archived.
        var automation = await db.Automations.FromSql($"SELECT * FROM automations WHERE id = {req.Id} FOR UPDATE").FirstOrDefaultAsync(ct);
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
        var actor = LifecycleActor.Of(session.Required);
        foreach (var version in versions)
        {
            var applied = await lifecycle.ApplyAsync(version, new TransitionRequest(VersionStatuses.Archived, actor, req.Reason), ct);
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
            reason = req.Reason,
            archived_versions = versions.Select(v => v.Version).ToList(),
        });
        await db.SaveChangesAsync(ct);
        return await views.OfAsync(automation, ct);
    }
}
