using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow13_StatusRouter;

/// <summary>
/// Flow 13's generic entry points: find the version (a client in its own tenant; staff in the resource's
/// tenant through elevation) and hand it to the lifecycle kernel, which accepts only the transitions the
/// table marks reachable from the endpoint.
/// </summary>
internal sealed class StatusRouterHandler(AppDbContext db, CurrentSession session, StaffElevation elevation,
    LifecycleTransitionHandler lifecycle) : IHandler
{
    public async Task<ErrorOr<VersionStatusResponse>> ChangeVersionStatusAsync(ChangeVersionStatusRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        if (caller.IsStaff && await elevation.ElevateAsync("automation_versions", "automation_version", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var version = await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var applied = await ApplyAsync(version, req.Status, req.Reason, req.IfMatch, TransitionEntry.VersionStatusEndpoint, ct);
        if (applied.IsError)
        {
            return applied.Errors;
        }
        return new VersionStatusResponse(version.Id, version.AutomationId, version.Version, version.Status,
            version.StatusBeforeBlocked, version.BlockedReason, version.RowVersion, version.UpdatedAt);
    }

    public async Task<ErrorOr<ProjectStatusResponse>> ChangeProjectStatusAsync(ChangeProjectStatusRequest req, CancellationToken ct)
    {
        if (await elevation.ElevateAsync("projects", "project", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Project");
        }
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == req.Id, ct);
        var version = project is null
            ? null
            : await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == project.AutomationVersionId, ct);
        if (project is null || version is null)
        {
            return AppErrors.NotFound("Project");
        }
        var applied = await ApplyAsync(version, req.Status, req.Reason, req.IfMatch, TransitionEntry.AdminProjectStatusEndpoint, ct);
        if (applied.IsError)
        {
            return applied.Errors;
        }
        return new ProjectStatusResponse(version.Id, project.Id, version.AutomationId, version.Version, version.Status,
            version.StatusBeforeBlocked, version.BlockedReason, version.RowVersion, version.UpdatedAt);
    }

    private async Task<ErrorOr<Decision>> ApplyAsync(AutomationVersion version, string status, string? reason, string? ifMatch,
        TransitionEntry entry, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(ifMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var actor = LifecycleActor.Of(session.Required);
        return await lifecycle.ApplyAsync(version, new TransitionRequest(status, actor, reason, entry, expected.Value), ct);
    }
}
