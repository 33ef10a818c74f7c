using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Quotes;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

/// <summary>Quote reads (flows.md lists them under Flow 18; they live beside the flow that shapes quotes): one quote, a version's quotes.</summary>
internal sealed class QuoteReadsHandler(AppDbContext db, ResourceScope scope, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<QuoteView>> GetAsync(GetQuoteRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("quotes", "quote", req.Id, ct))
        {
            return AppErrors.NotFound("Quote");
        }
        var quote = await db.Quotes.AsNoTracking().FirstOrDefaultAsync(q => q.Id == req.Id, ct);
        return quote is null ? AppErrors.NotFound("Quote") : QuoteReads.View(quote, clock.GetUtcNow());
    }

    public async Task<ErrorOr<Page<QuoteView>>> ListAsync(ListVersionQuotesRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automation_versions", "automation_version", req.Id, ct) ||
            !await db.AutomationVersions.AnyAsync(v => v.Id == req.Id, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        var now = clock.GetUtcNow();
        return await db.Quotes.AsNoTracking().Where(q => q.AutomationVersionId == req.Id)
            .ToPageAsync(req, q => q.CreatedAt, q => q.Id, q => QuoteReads.View(q, now), ct);
    }
}

internal sealed class GetQuoteEndpoint(QuoteReadsHandler handler) : ApiEndpoint<GetQuoteRequest, QuoteView>
{
    public override void Configure()
    {
        Get("/v1/quotes/{id}");
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer, AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "A quote (money as strings). A sent quote past its expires_at reads as expired.";
            s.Responses[200] = "The quote, with its signature record once signed (signer, time, terms_sha256, blueprint_sha256).";
            s.Responses[404] = "No such quote in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<QuoteView>> HandleRequestAsync(GetQuoteRequest req, CancellationToken ct) => handler.GetAsync(req, ct);
}

internal sealed class ListVersionQuotesEndpoint(QuoteReadsHandler handler) : ListEndpoint<ListVersionQuotesRequest, QuoteView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/quotes");
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer, AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "A version's quotes, newest first (cursor pagination): drafts, sent, signed, rejected, superseded, amendments.";
            s.Responses[400] = "A bad limit ($.limit) or cursor ($.cursor).";
            s.Responses[404] = "No such version in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<Page<QuoteView>>> HandleRequestAsync(ListVersionQuotesRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}
