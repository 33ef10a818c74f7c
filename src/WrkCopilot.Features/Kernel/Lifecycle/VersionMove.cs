using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// A dedicated flow endpoint's move of one version (launch, pause, resume, archive): the caller's version (staff in its own
/// tenant), an optional <c>If-Match</c>, and the platform-aware two-transaction path, accepting only <paramref name="row"/>'s
/// transition. Shared so that Flows 24, 24A, 24B and 35 stay one line each.
/// </summary>
public sealed class VersionMove(ResourceScope scope, CurrentSession session, PlatformTransitions transitions) : IHandler
{
    public async Task<ErrorOr<VersionSummary>> MoveAsync(Guid versionId, string targetStatus, string? reason, string? ifMatch, string row,
        CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(ifMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var moved = await transitions.TransitionAsync(
            async () => await scope.VersionAsync(versionId, ct) is { } version ? version : AppErrors.NotFound("Automation version"),
            new TransitionRequest(targetStatus, LifecycleActor.Of(session.Required), reason, TransitionEntry.Direct, expected.Value),
            row, ct);
        return moved.IsError ? moved.Errors : VersionSummary.Of(moved.Value);
    }
}
