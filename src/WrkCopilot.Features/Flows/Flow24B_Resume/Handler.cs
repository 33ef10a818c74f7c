using ErrorOr;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Features.Flows.Flow24B_Resume;

/// <summary>Flow 24B — resume a paused version (T10): its WRK workflow activated, binding active.</summary>
internal sealed class ResumeHandler(VersionMove move) : IHandler
{
    public Task<ErrorOr<VersionSummary>> ResumeAsync(ResumeRequest req, CancellationToken ct) =>
        move.MoveAsync(req.Id, VersionStatuses.Live, req.Reason, req.IfMatch, "T10", ct);
}
