using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

internal sealed class VolumeUpgradeEndpoint(VolumeUpgradeHandler handler) : ApiEndpoint<VolumeUpgradeRequest, QuoteView>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/quotes/{id}/volume-upgrade");
        Access(AppRoles.ClientAdmin);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 17 — commit to a monthly volume: an amendment quote, already sent, at that volume tier's price.";
            s.Description = "Sign it with PATCH /v1/quotes/{id}/status {\"status\":\"signed\"}: the amended quote becomes superseded, the new " +
                            "price applies from the next billing period (the 1st of next month, UTC) and the client's committed monthly spend " +
                            "becomes committed_volume × effective_unit_price.";
            s.Responses[201] = "The amendment quote (kind amendment, status sent, expires_at set).";
            s.Responses[400] = "Missing or out-of-range committed_volume ($.committed_volume).";
            s.Responses[403] = "forbidden: only a client admin.";
            s.Responses[404] = "No such quote in the caller's workspace.";
            s.Responses[409] = "quote_not_signed, version_not_live (not live or paused), not_an_upgrade (not above the current commitment).";
        });
    }

    protected override Task<ErrorOr<QuoteView>> HandleRequestAsync(VolumeUpgradeRequest req, CancellationToken ct) => handler.UpgradeAsync(req, ct);
}
