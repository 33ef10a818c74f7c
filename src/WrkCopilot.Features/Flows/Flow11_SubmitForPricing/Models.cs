using FastEndpoints;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow11_SubmitForPricing;

public sealed class SubmitForPricingRequest
{
    public Guid Id { get; set; }

    /// <summary>Optional: the version's <c>row_version</c> last read; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

/// <summary>Why the rate card priced the draft as it did.</summary>
public sealed record RateCardView(int Steps, int DecisionSteps, int DistinctSystems, int ComplexityScore, string Complexity);

public sealed record SubmittedVersion(Guid Id, string Version, string Status, long RowVersion, DateTimeOffset UpdatedAt);

public sealed record SubmitForPricingResponse(SubmittedVersion Version, QuoteView Quote, RateCardView RateCard);
