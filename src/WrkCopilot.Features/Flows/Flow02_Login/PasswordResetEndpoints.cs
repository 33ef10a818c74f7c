using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow02_Login;

internal sealed class PasswordResetEndpoint(PasswordResetHandler handler) : ApiEndpoint<PasswordResetRequest, PasswordResetAccepted>
{
    protected override int SuccessStatus => 202;

    public override void Configure()
    {
        Post("/v1/auth/password-reset");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Flow 2 — ask for a password-reset email (single-use token, valid 1 h).";
            s.Responses[202] = "Accepted, whether or not the email belongs to an account.";
            s.Responses[400] = "Missing or malformed email.";
        });
    }

    protected override Task<ErrorOr<PasswordResetAccepted>> HandleRequestAsync(PasswordResetRequest req, CancellationToken ct) =>
        handler.HandleAsync(req, ct);
}

internal sealed class PasswordResetConfirmEndpoint(PasswordResetConfirmHandler handler) : ApiEndpoint<PasswordResetConfirmRequest, Success>
{
    // Sessions are forgotten from the cache after the commit, so the handler owns its transaction.
    protected override bool Transactional => false;

    public override void Configure()
    {
        Post("/v1/auth/password-reset/confirm");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Flow 2 — set a new password with a reset token; every session of the user ends.";
            s.Responses[204] = "Password changed; all sessions revoked.";
            s.Responses[400] = "Missing token, or the password fails the policy.";
            s.Responses[410] = "reset_token_invalid: expired, already used or unknown.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(PasswordResetConfirmRequest req, CancellationToken ct) =>
        handler.HandleAsync(req, ct);
}
