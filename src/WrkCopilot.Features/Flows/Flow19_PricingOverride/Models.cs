using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow19_PricingOverride;

public sealed class CreatePricingOverrideRequest
{
    public Guid Id { get; set; }

    /// <summary>Money string, 2 decimals at most (<c>"1200.00"</c>).</summary>
    public string? SetupFeeOverride { get; set; }

    /// <summary>Money string, 4 decimals at most (<c>"0.2000"</c>).</summary>
    public string? UnitPriceOverride { get; set; }

    public string? Reason { get; set; }
}

public sealed class ListPricingOverridesRequest : PageQuery
{
    public Guid Id { get; set; }
}

/// <summary>
/// One override as recorded (rows are never updated). <c>applied_to</c>: <c>draft_quote</c> (the draft quote was changed) or
/// <c>billing</c> (a live or paused version's unit price from <c>effective_from</c>).
/// </summary>
public sealed record PricingOverrideView(
    Guid Id,
    Guid AutomationVersionId,
    Guid? QuoteId,
    string AppliedTo,
    string? SetupFeeOverride,
    string? UnitPriceOverride,
    string Reason,
    Guid CreatedById,
    DateTimeOffset EffectiveFrom,
    DateTimeOffset CreatedAt)
{
    public const string DraftQuote = "draft_quote";
    public const string Billing = "billing";

    public static PricingOverrideView Of(PricingOverride o, string appliedTo) => new(o.Id, o.AutomationVersionId, o.QuoteId, appliedTo,
        o.SetupFeeOverride is { } s ? Money.Format(s) : null, o.UnitPriceOverride is { } u ? Money.FormatUnitPrice(u) : null, o.Reason,
        o.CreatedById, o.EffectiveFrom, o.CreatedAt);
}
