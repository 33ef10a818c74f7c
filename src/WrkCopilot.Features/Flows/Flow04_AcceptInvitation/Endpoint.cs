using ErrorOr;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow04_AcceptInvitation;

internal sealed class AcceptInvitationEndpoint(AcceptInvitationHandler handler) : ApiEndpoint<AcceptInvitationRequest, InvitationAccepted>
{
    private bool _accountCreated;

    protected override int SuccessStatus => _accountCreated ? 201 : 200;

    public override void Configure()
    {
        Post("/v1/invitations/accept");
        // Anonymous for a new account; an existing account is recognised from its bearer token (the handler checks).
        AnonymousOrUser();
        Summary(s =>
        {
            s.Summary = "Flow 4 — accept an invitation: creates the account for a new email (with tokens), or adds the logged-in account as a member.";
            s.Responses[200] = "Existing account added to the workspace: tenant_id, user_id, roles.";
            s.Responses[201] = "New account created and added: tokens for the invited workspace.";
            s.Responses[400] = "New account without name or password, or a weak password.";
            s.Responses[401] = "login_required: the email has an account; log in as it first.";
            s.Responses[403] = "invitation_email_mismatch: logged in as another email.";
            s.Responses[409] = "already_member.";
            s.Responses[410] = "invitation_invalid: unknown, expired, revoked or already used.";
        });
    }

    protected override async Task<ErrorOr<InvitationAccepted>> HandleRequestAsync(AcceptInvitationRequest req, CancellationToken ct)
    {
        var result = await handler.HandleAsync(req, ct);
        _accountCreated = !result.IsError && result.Value.AccountCreated;
        return result;
    }
}
