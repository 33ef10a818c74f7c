using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow26_BlockUnblock;

internal sealed class BlockVersionEndpoint(BlockUnblockHandler handler) : ApiEndpoint<BlockVersionRequest, VersionSummary>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/block");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 26 — block a version (T11): the reason is kept, staff get a task, client admins and staff are notified.";
            s.Description = "ops_admin or operator admin, acting in the version's own tenant. kind: general (default; task general_todo) or " +
                            "credentials (task credentials_issue). Optional If-Match: the row_version last read.";
            s.Responses[200] = "The blocked version (status_before_blocked and blocked_reason set).";
            s.Responses[400] = "validation_failed: $.reason missing or too long, $.kind unknown.";
            s.Responses[403] = "forbidden: only ops_admin and operator admin block versions (API keys never may).";
            s.Responses[404] = "No such version.";
            s.Responses[409] = "invalid_transition (already blocked or archived; names current_status), or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
        });
    }

    protected override Task<ErrorOr<VersionSummary>> HandleRequestAsync(BlockVersionRequest req, CancellationToken ct) =>
        handler.BlockAsync(req, ct);
}

internal sealed class UnblockVersionEndpoint(BlockUnblockHandler handler) : ApiEndpoint<UnblockVersionRequest, VersionSummary>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/unblock");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 26 — unblock a version (T12): back to the status it was blocked from; back into a build requests the build again.";
            s.Description = "ops_admin or operator admin, acting in the version's own tenant. Client admins and staff are notified. " +
                            "Optional If-Match: the row_version last read.";
            s.Responses[200] = "The version in its restored status (blocked fields cleared).";
            s.Responses[400] = "validation_failed: $.reason too long.";
            s.Responses[403] = "forbidden: only ops_admin and operator admin unblock versions (API keys never may).";
            s.Responses[404] = "No such version.";
            s.Responses[409] = "invalid_transition (the version is not blocked; names current_status), or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
        });
    }

    protected override Task<ErrorOr<VersionSummary>> HandleRequestAsync(UnblockVersionRequest req, CancellationToken ct) =>
        handler.UnblockAsync(req, ct);
}
