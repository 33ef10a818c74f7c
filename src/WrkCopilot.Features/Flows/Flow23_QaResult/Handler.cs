using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow23_QaResult;

/// <summary>
/// Flow 23: staff record the QA result of a version in <c>qa_testing</c>: pass is T6 (guarded by the closed build
/// checklist), fail is T7 (the notes travel with the rebuild request). Only those two rows: a version elsewhere is
/// refused here even when another row of the table would reach the same target (a blocked version going back to a build
/// is an unblock, Flow 26).
/// </summary>
internal sealed class QaResultHandler(ResourceScope scope, CurrentSession session, LifecycleTransitionHandler lifecycle) : IHandler
{
    public async Task<ErrorOr<VersionSummary>> RecordAsync(QaResultRequest req, CancellationToken ct)
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
        if (version.Status != VersionStatuses.QaTesting)
        {
            var allowed = TransitionTable.TargetsFrom(version.Status, version.StatusBeforeBlocked);
            return AppErrors.Conflict(LifecycleKernel.InvalidTransition,
                $"A QA result is recorded only while the version is in qa_testing; it is in '{version.Status}'.",
                new Dictionary<string, object> { ["current_status"] = version.Status, ["allowed_targets"] = allowed });
        }
        var target = req.Result == QaResults.Pass ? VersionStatuses.ReadyToLaunch : VersionStatuses.BuildInProgress;
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(target, LifecycleActor.Of(session.Required), req.Notes, TransitionEntry.Direct, expected.Value), ct);
        return applied.IsError ? applied.Errors : VersionSummary.Of(version);
    }
}
