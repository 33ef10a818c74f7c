using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow24A_Pause;

/// <summary>Flow 24A — pause a live version (T9): its WRK workflow deactivated, binding inactive.</summary>
internal sealed class PauseHandler(ResourceScope scope, CurrentSession session, PlatformTransitions transitions) : IHandler
{
    public async Task<ErrorOr<VersionSummary>> PauseAsync(PauseRequest req, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var moved = await transitions.TransitionAsync(
            async () => await scope.VersionAsync(req.Id, ct) is { } version ? version : AppErrors.NotFound("Automation version"),
            new TransitionRequest(VersionStatuses.Paused, LifecycleActor.Of(session.Required), req.Reason, TransitionEntry.Direct, expected.Value),
            "T9", ct);
        return moved.IsError ? moved.Errors : VersionSummary.Of(moved.Value);
    }
}
