using ErrorOr;
using Microsoft.AspNetCore.Builder;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Http;
using ApiPermissions = WrkCopilot.Features.Kernel.Auth.Permissions;

namespace WrkCopilot.Features.Flows.Flow10_UpdateBlueprint;

internal sealed class GetBlueprintEndpoint(BlueprintHandler handler) : ApiEndpoint<GetBlueprintRequest, BlueprintView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/blueprint");
        AccessWithApiKey(ApiPermissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 10 — a version's blueprint (the canonical document) with its ETag.";
            s.Description = "The ETag header (also `row_version`) is what a PUT must send back in If-Match.";
            s.Responses[200] = "The blueprint; `editable` says whether the version's status lets it change.";
            s.Responses[404] = "No such version in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<BlueprintView>> HandleRequestAsync(GetBlueprintRequest req, CancellationToken ct) =>
        handler.GetAsync(req, ct);
}

internal sealed class PutBlueprintEndpoint(BlueprintHandler handler) : ApiEndpoint<PutBlueprintRequest, BlueprintView>
{
    public override void Configure()
    {
        Put("/v1/automation-versions/{id}/blueprint");
        AccessWithApiKey(ApiPermissions.AutomationsWrite, AppRoles.ClientAdmin, AppRoles.ClientMember,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        // Room for a 1 MB document however it is formatted; the schema's own 1 MB rule names the path.
        Options(b => b.WithMetadata(new RequestBodyLimit(2 * BlueprintSchema.MaxDocumentBytes)));
        Summary(s =>
        {
            s.Summary = "Flow 10 — replace a version's blueprint with a whole canonical document.";
            s.Description = "Validated against the canonical schema (every problem named by its JSON path); allowed while the version is " +
                            "intake_in_progress or needs_pricing. If-Match is required. Audited by the size of the change.";
            s.Responses[200] = "Stored; the new ETag is in the header.";
            s.Responses[400] = "validation_failed: `errors` maps each offending JSON path ($.sections[0].steps[1].next[0], …) to its problems.";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "version_not_editable (names current_status), or concurrency_conflict when another write won.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
            s.Responses[413] = "payload_too_large: the body exceeds 2 MB.";
            s.Responses[428] = "precondition_required: If-Match is missing.";
        });
    }

    protected override Task<ErrorOr<BlueprintView>> HandleRequestAsync(PutBlueprintRequest req, CancellationToken ct) =>
        handler.PutAsync(req, ct);
}
