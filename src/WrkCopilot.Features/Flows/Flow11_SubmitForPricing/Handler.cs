using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow11_SubmitForPricing;

/// <summary>Flow 11: T1 through the lifecycle kernel; its effects write the draft quote, the pricing status, the ops task and the notification.</summary>
internal sealed class SubmitForPricingHandler(AppDbContext db, CurrentSession session, LifecycleTransitionHandler lifecycle,
    QuotePricer pricer) : IHandler
{
    public async Task<ErrorOr<SubmitForPricingResponse>> SubmitAsync(SubmitForPricingRequest req, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var version = await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(VersionStatuses.NeedsPricing, LifecycleActor.Of(session.Required), null, ExpectedRowVersions: expected.Value), ct);
        if (applied.IsError)
        {
            return applied.Errors;
        }
        var quote = db.Quotes.Local.Single(q => q.AutomationVersionId == version.Id && q.Status == QuoteStatuses.Draft);
        var price = pricer.Price(version.BlueprintJson.RootElement);
        return new SubmitForPricingResponse(
            new SubmittedVersion(version.Id, version.Version, version.Status, version.RowVersion, version.UpdatedAt),
            QuoteView.Of(quote),
            new RateCardView(price.Steps, price.DecisionSteps, price.DistinctSystems, price.ComplexityScore, price.Complexity));
    }
}
