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
/// table marks reachable from the endpoint. Transitions that need the WRK Platform take the same two-transaction
/// path as their dedicated flows (<see cref="PlatformTransitions"/>), so the endpoints are not transactional.
/// </summary>
internal sealed class StatusRouterHandler(AppDbContext db, CurrentSession session, StaffElevation elevation,
    PlatformTransitions transitions) : IHandler
{
    public async Task<ErrorOr<VersionStatusResponse>> ChangeVersionStatusAsync(ChangeVersionStatusRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        var moved = await MoveAsync(async () =>
        {
            if (caller.IsStaff && await elevation.ElevateAsync("automation_versions", "automation_version", req.Id, ct) is null)
            {
                return AppErrors.NotFound("Automation version");
            }
            var version = await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == req.Id, ct);
            return version is null ? AppErrors.NotFound("Automation version") : version;
        }, req.Status, req.Reason, req.IfMatch, TransitionEntry.VersionStatusEndpoint, ct);
        if (moved.IsError)
        {
            return moved.Errors;
        }
        var v = moved.Value;
        return new VersionStatusResponse(v.Id, v.AutomationId, v.Version, v.Status, v.StatusBeforeBlocked, v.BlockedReason, v.RowVersion, v.UpdatedAt);
    }

    public async Task<ErrorOr<ProjectStatusResponse>> ChangeProjectStatusAsync(ChangeProjectStatusRequest req, CancellationToken ct)
    {
        var moved = await MoveAsync(async () =>
        {
            if (await elevation.ElevateAsync("projects", "project", req.Id, ct) is null)
            {
                return AppErrors.NotFound("Project");
            }
            var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == req.Id, ct);
            var version = project is null
                ? null
                : await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == project.AutomationVersionId, ct);
            return version is null ? AppErrors.NotFound("Project") : version;
        }, req.Status, req.Reason, req.IfMatch, TransitionEntry.AdminProjectStatusEndpoint, ct);
        if (moved.IsError)
        {
            return moved.Errors;
        }
        var v = moved.Value;
        return new ProjectStatusResponse(v.Id, req.Id, v.AutomationId, v.Version, v.Status, v.StatusBeforeBlocked, v.BlockedReason,
            v.RowVersion, v.UpdatedAt);
    }

    private async Task<ErrorOr<AutomationVersion>> MoveAsync(Func<Task<ErrorOr<AutomationVersion>>> find, string status, string? reason,
        string? ifMatch, TransitionEntry entry, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(ifMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var actor = LifecycleActor.Of(session.Required);
        return await transitions.TransitionAsync(find, new TransitionRequest(status, actor, reason, entry, expected.Value), null, ct);
    }
}
