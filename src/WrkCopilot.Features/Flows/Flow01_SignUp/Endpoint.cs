using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow01_SignUp;

internal sealed class SignUpEndpoint(SignUpHandler handler) : ApiEndpoint<SignUpRequest, TokenResponse>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/auth/signup");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Flow 1 — sign up: creates a user, a client workspace and an admin membership; returns tokens.";
            s.Responses[201] = "Signed up; tokens for the new workspace.";
            s.Responses[400] = "Invalid email, weak or breached password, missing name or workspace.";
            s.Responses[409] = "email_taken: an account with this email exists.";
        });
    }

    protected override Task<ErrorOr<TokenResponse>> HandleRequestAsync(SignUpRequest req, CancellationToken ct) => handler.HandleAsync(req, ct);
}
