using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Features.Flows.Flow24_Launch;

/// <summary>Flow 24 — launch a version (T8): its WRK workflow activated, the versions it replaces archived and their workflows deactivated.</summary>
internal sealed class LaunchHandler(VersionMove move) : IHandler
{
    public Task<ErrorOr<VersionSummary>> LaunchAsync(LaunchRequest req, CancellationToken ct) =>
        move.MoveAsync(req.Id, VersionStatuses.Live, req.Reason, req.IfMatch, "T8", ct);
}
