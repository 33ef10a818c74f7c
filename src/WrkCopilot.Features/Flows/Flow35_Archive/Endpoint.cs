using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow35_Archive;

internal sealed class ArchiveVersionEndpoint(ArchiveHandler handler) : ApiEndpoint<ArchiveVersionRequest, VersionSummary>
{
    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/archive");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 35 — archive a version (T13): its active WRK workflow deactivated, open tasks cancelled; the version becomes read-only.";
            s.Description = "Client admin or operator admin (acting in the version's tenant). Optional If-Match: the row_version last read.";
            s.Responses[200] = "The archived version.";
            s.Responses[403] = "forbidden: the caller's role may not archive (API keys never may).";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "invalid_transition (already archived), platform_rejected (the WRK Platform refused to deactivate its workflow), or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
            s.Responses[503] = "platform_unavailable: its workflow is active and the WRK Platform is down; nothing changed; Retry-After.";
        });
    }

    // A version whose workflow is active is turned off on the WRK Platform between two transactions of the handler's own.
    protected override bool Transactional => false;

    protected override Task<ErrorOr<VersionSummary>> HandleRequestAsync(ArchiveVersionRequest req, CancellationToken ct) =>
        handler.ArchiveVersionAsync(req, ct);
}

internal sealed class ArchiveAutomationEndpoint(ArchiveHandler handler) : ApiEndpoint<ArchiveAutomationRequest, AutomationView>
{
    public override void Configure()
    {
        Post("/v1/automations/{id}/archive");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 35 — archive an automation: every version not yet archived goes through T13, all or none.";
            s.Responses[200] = "The archived automation (listed again only with ?include_archived=true).";
            s.Responses[403] = "forbidden: the caller's role may not archive (API keys never may).";
            s.Responses[404] = "No such automation in the caller's tenant.";
            s.Responses[409] = "already_archived, a version that cannot be archived now (its transition error), platform_rejected, or concurrency_conflict.";
            s.Responses[503] = "platform_unavailable: a version's workflow is active and the WRK Platform is down; nothing changed; Retry-After.";
        });
    }

    protected override bool Transactional => false;

    protected override Task<ErrorOr<AutomationView>> HandleRequestAsync(ArchiveAutomationRequest req, CancellationToken ct) =>
        handler.ArchiveAutomationAsync(req, ct);
}
