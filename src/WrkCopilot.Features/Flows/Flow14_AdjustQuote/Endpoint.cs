using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

internal sealed class AdjustQuoteEndpoint(AdjustQuoteHandler handler) : ApiEndpoint<AdjustQuoteRequest, QuoteView>
{
    public override void Configure()
    {
        Patch("/v1/quotes/{id}");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 14 — ops adjust a draft quote: setup_fee (\"1500.00\"), unit_price (\"0.2500\"), estimated_volume, notes.";
            s.Description = "ops_admin or operator admin; draft quotes only. Only the fields sent change. effective_unit_price is recomputed: " +
                            "the unit price after the volume tier of estimated_volume, unless a pricing override (Flow 19) fixes it; an " +
                            "override's setup fee also wins. Send it with PATCH /v1/quotes/{id}/status {status:\"sent\"}. " +
                            "Optional If-Match: the quote's row_version last read.";
            s.Responses[200] = "The adjusted quote.";
            s.Responses[400] = "A malformed amount ($.setup_fee: 2 decimals; $.unit_price: 4 decimals, above zero), a volume out of range " +
                               "($.estimated_volume), notes too long, or nothing to change ($).";
            s.Responses[403] = "forbidden: clients (even the quote's own admin), cs_admin, API keys.";
            s.Responses[404] = "No such quote.";
            s.Responses[409] = "quote_not_draft: sent, signed, rejected and superseded quotes are immutable; or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
        });
    }

    protected override Task<ErrorOr<QuoteView>> HandleRequestAsync(AdjustQuoteRequest req, CancellationToken ct) => handler.AdjustAsync(req, ct);
}
