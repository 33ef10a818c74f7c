using ErrorOr;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

internal sealed class CreateInvitationEndpoint(InvitationsHandler handler) : ApiEndpoint<CreateInvitationRequest, InvitationCreated>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/tenants/{tenantId}/invitations");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 3 — invite a user by email into this workspace; the token is shown once and emailed.";
            s.Responses[201] = "Invitation created; `token` is returned only in this response.";
            s.Responses[400] = "Invalid email, or a role not valid for this workspace's kind ($.roles).";
            s.Responses[404] = "The path names another tenant.";
            s.Responses[409] = "already_member: the email already belongs to a member of this workspace.";
        });
    }

    protected override Task<ErrorOr<InvitationCreated>> HandleRequestAsync(CreateInvitationRequest req, CancellationToken ct) =>
        handler.CreateAsync(req, ct);
}

internal sealed class ListInvitationsEndpoint(InvitationsHandler handler) : ListEndpoint<ListInvitationsRequest, InvitationView>
{
    public override void Configure()
    {
        Get("/v1/tenants/{tenantId}/invitations");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 3 — this workspace's invitations, newest first, with their status (never their tokens).";
            s.Responses[404] = "The path names another tenant.";
        });
    }

    protected override Task<ErrorOr<Page<InvitationView>>> HandleRequestAsync(ListInvitationsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class RevokeInvitationEndpoint(InvitationsHandler handler) : ApiEndpoint<RevokeInvitationRequest, Success>
{
    public override void Configure()
    {
        Delete("/v1/tenants/{tenantId}/invitations/{id}");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 3 — revoke an invitation; its link stops working at once.";
            s.Responses[204] = "Revoked (or already revoked).";
            s.Responses[404] = "Unknown invitation, or another tenant's.";
            s.Responses[409] = "invitation_accepted: already accepted.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(RevokeInvitationRequest req, CancellationToken ct) =>
        handler.RevokeAsync(req, ct);
}
