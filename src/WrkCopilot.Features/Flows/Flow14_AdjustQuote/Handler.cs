using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

/// <summary>Flow 14's first half: ops adjust a draft quote (staff act in the quote's own tenant). Sent, signed and rejected quotes are immutable.</summary>
internal sealed class AdjustQuoteHandler(AppDbContext db, ResourceScope scope, QuoteDrafting drafting, AuditTrail audit,
    TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<QuoteView>> AdjustAsync(AdjustQuoteRequest req, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        if (!await scope.EnterAsync("quotes", "quote", req.Id, ct))
        {
            return AppErrors.NotFound("Quote");
        }
        var quote = await db.Quotes.FirstOrDefaultAsync(q => q.Id == req.Id, ct);
        if (quote is null)
        {
            return AppErrors.NotFound("Quote");
        }
        if (expected.Value is { } versions && !versions.Contains(quote.RowVersion))
        {
            return AppErrors.PreconditionFailed($"The quote changed (row_version is {quote.RowVersion}); reload and retry.");
        }
        if (quote.Status != QuoteStatuses.Draft)
        {
            return AppErrors.Conflict("quote_not_draft",
                $"The quote is {QuoteReads.StatusAt(quote, clock.GetUtcNow())}; only a draft quote can be adjusted (sent, signed and rejected quotes are immutable).",
                new Dictionary<string, object> { ["current_status"] = quote.Status });
        }
        var before = new { setup_fee = Money.Format(quote.SetupFee), unit_price = Money.FormatUnitPrice(quote.UnitPrice), estimated_volume = quote.EstimatedVolume };
        // The validator already proved these parse.
        if (req.SetupFee is not null && Money.TryParseAmount(req.SetupFee, out var setup))
        {
            quote.SetupFee = setup;
        }
        if (req.UnitPrice is not null && Money.TryParseUnitPrice(req.UnitPrice, out var unit))
        {
            quote.UnitPrice = unit;
        }
        if (req.EstimatedVolume is { } volume)
        {
            quote.EstimatedVolume = volume;
        }
        if (req.Notes is not null)
        {
            quote.Notes = req.Notes.Length == 0 ? null : req.Notes;
        }
        await drafting.RepriceAsync(quote, ct);
        // Ops price what the blueprint is now: the draft follows it, so it can be sent again after a client's late edit.
        var blueprint = await db.AutomationVersions.AsNoTracking().Where(v => v.Id == quote.AutomationVersionId)
            .Select(v => v.BlueprintJson).FirstAsync(ct);
        quote.BlueprintSha256 = QuoteSignature.BlueprintSha256(blueprint.RootElement);
        quote.UpdatedAt = clock.GetUtcNow();
        audit.Record("quote_adjusted", "quote", quote.Id, new
        {
            automation_version_id = quote.AutomationVersionId,
            before,
            after = new
            {
                setup_fee = Money.Format(quote.SetupFee),
                unit_price = Money.FormatUnitPrice(quote.UnitPrice),
                estimated_volume = quote.EstimatedVolume,
                effective_unit_price = Money.FormatUnitPrice(quote.EffectiveUnitPrice),
            },
            notes_changed = req.Notes is not null,
        });
        await db.SaveChangesAsync(ct);
        return QuoteView.Of(quote);
    }
}
