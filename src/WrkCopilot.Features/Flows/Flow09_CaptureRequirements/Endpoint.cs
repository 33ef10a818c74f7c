using ErrorOr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Integrations.Requirements;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

internal sealed class CaptureRequirementsEndpoint(RequirementsHandler handler) : ApiEndpoint<CaptureRequirementsRequest, RequirementsCaptured>
{
    protected override int SuccessStatus => StatusCodes.Status201Created;

    public override void Configure()
    {
        Post("/v1/automation-versions/{id}/requirements");
        AccessWithApiKey(Kernel.Auth.Permissions.AutomationsWrite, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        // The form is read part by part by the handler (each file capped while it streams), never bound as a whole. The
        // Accepts entry below lists both content types: routing matches on the last one, and JSON must route too.
        AllowFileUploads(dontAutoBindFormData: true);
        Idempotent();
        Options(b => b.WithMetadata(new RequestBodyLimit(RequirementsLimits.MaxRequestBytes, RequirementsLimits.MaxJsonRequestBytes), new MultipartUpload("files", RequirementsLimits.MaxFiles, RequirementsLimits.MaxFileBytes)));
        Description(b => b
            .Accepts<CaptureRequirementsRequest>("application/json", "multipart/form-data")
            .Produces(413, typeof(ProblemBody), Problem.ContentType)
            .Produces(415, typeof(ProblemBody), Problem.ContentType), clearDefaults: false);
        Summary(s =>
        {
            s.Summary = "Flow 9 — add requirements (files or text) to a version in intake; each is queued for AI ingestion.";
            s.Description =
                $"multipart/form-data with 1–{RequirementsLimits.MaxFiles} parts named `files` ({RequirementFormats.Extensions}; " +
                $"at most {RequirementsLimits.MaxFileBytes / (1024 * 1024)} MB each; the type is checked by extension and content), " +
                "or JSON `{ \"text\": \"...\" }` (at most 1 MB). Allowed while the version is intake_in_progress. " +
                "Honours Idempotency-Key. `intake_progress` is the share of the version's artifacts that are no longer pending.";
            s.Responses[201] = "The new artifacts (status `pending`) and the version's intake_progress.";
            s.Responses[400] = "validation_failed: $.text empty or over 1 MB, $.files missing, more than the allowed files, an empty file or an unnamed part.";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "version_not_editable: the version is not in intake_in_progress (names current_status).";
            s.Responses[413] = "payload_too_large: a file over 20 MB (names file_name), or the whole body over the endpoint's limit.";
            s.Responses[415] = "unsupported_media_type: a file that is not an accepted type, or does not look like its extension (names file_name).";
        });
    }

    protected override Task<ErrorOr<RequirementsCaptured>> HandleRequestAsync(CaptureRequirementsRequest req, CancellationToken ct) =>
        handler.CaptureAsync(req, ct);
}

internal sealed class ListRequirementsEndpoint(RequirementsHandler handler) : ListEndpoint<ListRequirementsRequest, RequirementArtifactView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/requirements");
        AccessWithApiKey(Kernel.Auth.Permissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 9 — a version's requirement artifacts, newest first, with their processing state.";
            s.Description = "status: pending (queued), processed (merged into the blueprint), failed (see error), skipped (the version left intake first).";
            s.Responses[404] = "No such version in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<Page<RequirementArtifactView>>> HandleRequestAsync(ListRequirementsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}
