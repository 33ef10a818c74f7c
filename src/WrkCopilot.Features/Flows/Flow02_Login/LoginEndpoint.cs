using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow02_Login;

internal sealed class LoginEndpoint(LoginHandler handler) : ApiEndpoint<LoginRequest, TokenResponse>
{
    public override void Configure()
    {
        Post("/v1/auth/login");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Flow 2 — log in with email and password; tokens for the user's first workspace.";
            s.Responses[200] = "Logged in; tokens.";
            s.Responses[400] = "Missing or malformed email or password.";
            s.Responses[401] = "invalid_credentials: unknown email, wrong password or no workspace (one answer for all).";
            s.Responses[429] = "too_many_login_attempts: too many failures for this email; see Retry-After.";
        });
    }

    protected override Task<ErrorOr<TokenResponse>> HandleRequestAsync(LoginRequest req, CancellationToken ct) => handler.HandleAsync(req, ct);
}
