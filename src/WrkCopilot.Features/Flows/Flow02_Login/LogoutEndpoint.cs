using ErrorOr;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow02_Login;

internal sealed class LogoutEndpoint(LogoutHandler handler) : ApiEndpoint<LogoutRequest, Success>
{
    // The session cache is cleared after the commit, so the handler owns its transaction.
    protected override bool Transactional => false;

    public override void Configure()
    {
        Post("/v1/auth/logout");
        AnyUser();
        Summary(s =>
        {
            s.Summary = "Flow 2 — log out: revokes the caller's session family; its access token stops working too.";
            s.Responses[204] = "Logged out.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(LogoutRequest req, CancellationToken ct) => handler.HandleAsync(req, ct);
}
