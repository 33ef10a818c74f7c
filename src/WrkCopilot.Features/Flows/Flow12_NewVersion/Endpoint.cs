using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;
using ApiPermissions = WrkCopilot.Features.Kernel.Auth.Permissions;

namespace WrkCopilot.Features.Flows.Flow12_NewVersion;

internal sealed class CreateVersionEndpoint(VersionsHandler handler) : ApiEndpoint<CreateVersionRequest, VersionCreated>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/automations/{id}/versions");
        AccessWithApiKey(ApiPermissions.AutomationsWrite, AppRoles.ClientAdmin);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 12 — a new version (minor: v1.0 → v1.1, major: → v2.0) with the latest version's blueprint and a revision project.";
            s.Responses[201] = "Created in intake_in_progress.";
            s.Responses[400] = "bump is not minor or major ($.bump), or notes too long.";
            s.Responses[404] = "No such automation in the caller's tenant.";
            s.Responses[409] = "pre_live_version_exists (names it), or automation_archived.";
        });
    }

    protected override Task<ErrorOr<VersionCreated>> HandleRequestAsync(CreateVersionRequest req, CancellationToken ct) =>
        handler.CreateAsync(req, ct);
}

internal sealed class ListVersionsEndpoint(VersionsHandler handler) : ListEndpoint<ListVersionsRequest, VersionSummary>
{
    public override void Configure()
    {
        Get("/v1/automations/{id}/versions");
        AccessWithApiKey(ApiPermissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 12 — an automation's versions, newest first (archived ones included).";
            s.Responses[404] = "No such automation in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<Page<VersionSummary>>> HandleRequestAsync(ListVersionsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class DiffEndpoint(VersionsHandler handler) : ApiEndpoint<DiffRequest, BlueprintDiffView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/diff");
        AccessWithApiKey(ApiPermissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 12 — the blueprint diff from ?against= (the base) to this version: steps added, removed and changed (with each changed field).";
            s.Responses[400] = "against missing, or a version of another automation ($.against).";
            s.Responses[404] = "Either version is not in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<BlueprintDiffView>> HandleRequestAsync(DiffRequest req, CancellationToken ct) =>
        handler.DiffAsync(req, ct);
}
