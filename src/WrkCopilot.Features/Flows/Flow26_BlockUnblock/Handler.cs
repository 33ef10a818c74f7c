using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow26_BlockUnblock;

/// <summary>
/// Flow 26: staff block a version (T11: reason kept, staff task, notifications) and unblock it (T12: back to the status it
/// was blocked from; back into a build requests the build again). Both go through the lifecycle kernel in the version's
/// own tenant; the kernel writes the audit row.
/// </summary>
internal sealed class BlockUnblockHandler(ResourceScope scope, CurrentSession session, LifecycleTransitionHandler lifecycle) : IHandler
{
    public async Task<ErrorOr<VersionSummary>> BlockAsync(BlockVersionRequest req, CancellationToken ct)
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
        var applied = await lifecycle.ApplyAsync(version, new TransitionRequest(VersionStatuses.Blocked, LifecycleActor.Of(session.Required),
            req.Reason, TransitionEntry.Direct, expected.Value, BlockKind: req.Kind ?? BlockKinds.General), ct);
        return applied.IsError ? applied.Errors : VersionSummary.Of(version);
    }

    public async Task<ErrorOr<VersionSummary>> UnblockAsync(UnblockVersionRequest req, CancellationToken ct)
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
        if (version.Status != VersionStatuses.Blocked)
        {
            return AppErrors.Conflict(LifecycleKernel.InvalidTransition,
                $"Only a blocked version can be unblocked; it is in '{version.Status}'.",
                new Dictionary<string, object>
                {
                    ["current_status"] = version.Status,
                    ["allowed_targets"] = TransitionTable.TargetsFrom(version.Status, version.StatusBeforeBlocked),
                });
        }
        // T12's target is the status the version was blocked from; without one the kernel finds no row (invalid_transition).
        var applied = await lifecycle.ApplyAsync(version, new TransitionRequest(version.StatusBeforeBlocked ?? VersionStatuses.Blocked,
            LifecycleActor.Of(session.Required), req.Reason, TransitionEntry.Direct, expected.Value), ct);
        return applied.IsError ? applied.Errors : VersionSummary.Of(version);
    }
}
