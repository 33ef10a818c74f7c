using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

internal sealed class GetCredentialsEndpoint(CredentialReferencesHandler handler) : ApiEndpoint<GetCredentialsRequest, CredentialsView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/credentials");
        Access([.. AppRoles.AnyClient, .. AppRoles.Staff]);
        Summary(s =>
        {
            s.Summary = "Flow 25 — the systems a version needs credentials for, each with its status and WRK Platform credential reference.";
            s.Description = "The systems are the distinct step systems of the version's blueprint; one with nothing recorded is pending. " +
                            "A reference is the WRK Platform's id of the credentials (cred_…); secrets are never stored here. " +
                            "Any client role; staff act in the version's own tenant.";
            s.Responses[200] = "The version's credential list.";
            s.Responses[403] = "forbidden: API keys may not read credential references.";
            s.Responses[404] = "No such version in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<CredentialsView>> HandleRequestAsync(GetCredentialsRequest req, CancellationToken ct) =>
        handler.GetAsync(req, ct);
}

internal sealed class PutCredentialsEndpoint(CredentialReferencesHandler handler) : ApiEndpoint<PutCredentialsRequest, CredentialsView>
{
    public override void Configure()
    {
        Put("/v1/automation-versions/{id}/credentials");
        Access(AppRoles.ClientAdmin, AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 25 — replace a version's credential references (never secrets).";
            s.Description = "The whole list: a system left out goes back to pending; the same list again changes nothing. Each entry names a " +
                            "system of the blueprint, its status (pending, connected, failed), its WRK Platform reference (cred_ + 6–64 of " +
                            "[A-Za-z0-9_-]; required when connected) and, when failed, an error. Anything that looks like a secret, and any " +
                            "unknown field, is refused. A system newly failed opens a credentials_issue task and notifies client admins and staff.";
            s.Responses[200] = "The version's credential list after the change.";
            s.Responses[400] = "validation_failed naming the path, e.g. $.credentials[0].reference (a secret, or not a reference), " +
                               "$.credentials[0].system (not a blueprint system, or listed twice), $.credentials[0].password (unknown field).";
            s.Responses[403] = "forbidden: client admin, ops_admin or operator admin only (API keys never).";
            s.Responses[404] = "No such version in the caller's tenant.";
            s.Responses[409] = "version_not_editable: the version is archived.";
        });
    }

    protected override Task<ErrorOr<CredentialsView>> HandleRequestAsync(PutCredentialsRequest req, CancellationToken ct) =>
        handler.PutAsync(req, ct);
}
