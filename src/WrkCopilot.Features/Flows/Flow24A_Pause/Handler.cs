using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Features.Flows.Flow24A_Pause;

/// <summary>Flow 24A — pause a live version (T9): its WRK workflow deactivated, binding inactive.</summary>
internal sealed class PauseHandler(VersionMove move) : IHandler
{
    public Task<ErrorOr<VersionSummary>> PauseAsync(PauseRequest req, CancellationToken ct) =>
        move.MoveAsync(req.Id, VersionStatuses.Paused, req.Reason, req.IfMatch, "T9", ct);
}
