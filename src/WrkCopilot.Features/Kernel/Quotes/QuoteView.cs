using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Quotes;

#pragma warning disable CA1720 // "Signed" is the quote status of flows.md, not a type name
public static class QuoteStatuses
{
    public const string Draft = "draft";
    public const string Sent = "sent";
    public const string Signed = "signed";
    public const string Rejected = "rejected";
    public const string Superseded = "superseded";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Draft, Sent, Signed, Rejected, Superseded, Expired];
}
#pragma warning restore CA1720

public static class QuoteKinds
{
    public const string Initial = "initial";
    public const string Amendment = "amendment";
}

/// <summary>A quote as the API shows it: money as strings (<c>"1500.00"</c>, unit prices <c>"0.2500"</c>).</summary>
public sealed record QuoteView(
    Guid Id,
    Guid AutomationVersionId,
    string Kind,
    string Status,
    string Currency,
    string SetupFee,
    string UnitPrice,
    int EstimatedVolume,
    int? CommittedVolume,
    string EffectiveUnitPrice,
    string? Notes,
    string? RejectionReason,
    Guid? SupersedesQuoteId,
    DateTimeOffset? SentAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? SignedAt,
    Guid? SignedById,
    string? TermsSha256,
    string? BlueprintSha256,
    DateTimeOffset? RejectedAt,
    long RowVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static QuoteView Of(Quote q) => new(q.Id, q.AutomationVersionId, q.Kind, q.Status, q.Currency, Money.Format(q.SetupFee),
        Money.FormatUnitPrice(q.UnitPrice), q.EstimatedVolume, q.CommittedVolume, Money.FormatUnitPrice(q.EffectiveUnitPrice), q.Notes,
        q.RejectionReason, q.SupersedesQuoteId, q.SentAt, q.ExpiresAt, q.SignedAt, q.SignedById, q.TermsSha256, q.BlueprintSha256,
        q.RejectedAt, q.RowVersion, q.CreatedAt, q.UpdatedAt);
}
