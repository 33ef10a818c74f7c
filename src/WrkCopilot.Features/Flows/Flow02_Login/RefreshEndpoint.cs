using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow02_Login;

internal sealed class RefreshEndpoint(RefreshHandler handler) : ApiEndpoint<RefreshRequest, TokenResponse>
{
    // The handler commits a reuse revocation even though it answers 401, so it runs its own transactions.
    protected override bool Transactional => false;

    public override void Configure()
    {
        Post("/v1/auth/refresh");
        AllowAnonymous();
        Summary(s =>
        {
            s.Summary = "Flow 2 — exchange a refresh token for a new token pair (the refresh token rotates).";
            s.Responses[200] = "New tokens; the presented refresh token is spent.";
            s.Responses[400] = "Missing refresh_token.";
            s.Responses[401] = "invalid_refresh_token, refresh_token_expired, or refresh_token_reused (the whole session family is revoked).";
        });
    }

    protected override Task<ErrorOr<TokenResponse>> HandleRequestAsync(RefreshRequest req, CancellationToken ct) => handler.HandleAsync(req, ct);
}
