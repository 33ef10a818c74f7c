using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

public sealed class Quote : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    /// <summary><c>initial</c> or <c>amendment</c>.</summary>
    public string Kind { get; set; } = "initial";
    /// <summary><c>draft</c>, <c>sent</c>, <c>signed</c>, <c>rejected</c>, <c>superseded</c>, <c>expired</c>.</summary>
    public string Status { get; set; } = "draft";
    public string Currency { get; set; } = "USD";
    public decimal SetupFee { get; set; }
    public decimal UnitPrice { get; set; }
    public int EstimatedVolume { get; set; }
    public int? CommittedVolume { get; set; }
    public decimal EffectiveUnitPrice { get; set; }
    public string? Notes { get; set; }
    public string? RejectionReason { get; set; }
    public Guid? SupersedesQuoteId { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? SignedAt { get; set; }
    public Guid? SignedById { get; set; }
    public string? SignedIp { get; set; }
    public string? SignedUserAgent { get; set; }
    public string? TermsSha256 { get; set; }
    public string? BlueprintSha256 { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }
    public long RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class PricingOverride : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public Guid? QuoteId { get; set; }
    public decimal? SetupFeeOverride { get; set; }
    public decimal? UnitPriceOverride { get; set; }
    public required string Reason { get; set; }
    public Guid CreatedById { get; set; }
    public DateTimeOffset EffectiveFrom { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class BillingPeriod : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    /// <summary><c>draft</c> or <c>finalized</c>.</summary>
    public string Status { get; set; } = "draft";
    public string Currency { get; set; } = "USD";
    public decimal TotalSpend { get; set; }
    public JsonDocument LinesJson { get; set; } = JsonDocument.Parse("[]");
    public DateTimeOffset? FinalizedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The ops/commercial view of a client tenant (1:1).</summary>
public sealed class Client : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public string? Industry { get; set; }
    /// <summary><c>good</c>, <c>at_risk</c> or <c>churn_risk</c>.</summary>
    public string HealthStatus { get; set; } = "good";
    public string? HealthReason { get; set; }
    public Guid? OwnerId { get; set; }
    public decimal CommittedMonthlySpend { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
