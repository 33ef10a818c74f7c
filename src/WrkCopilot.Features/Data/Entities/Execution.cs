using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

public sealed class WorkflowBinding : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public required string WrkWorkflowId { get; set; }
    public string? WrkWorkflowUrl { get; set; }
    /// <summary><c>active</c>, <c>inactive</c> or <c>error</c>.</summary>
    public string Status { get; set; } = "inactive";
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class RunEvent : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid WorkflowBindingId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public required string RunId { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? ErrorMessage { get; set; }
    public decimal? Cost { get; set; }
    public JsonDocument MetadataJson { get; set; } = JsonDocument.Parse("{}");
    public string? WebhookId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class UsageAggregate : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    /// <summary><c>day</c> or <c>month</c>.</summary>
    public required string Granularity { get; set; }
    public DateOnly PeriodStart { get; set; }
    public DateOnly PeriodEnd { get; set; }
    public long RunCount { get; set; }
    public long SuccessCount { get; set; }
    public long FailureCount { get; set; }
    public decimal TotalCost { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class CredentialRef : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public required string System { get; set; }
    /// <summary><c>pending</c>, <c>connected</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "pending";
    public string? WrkCredentialRef { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class AlertThreshold : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public decimal? FailureRatePct { get; set; }
    public int? WindowRuns { get; set; }
    public decimal? VolumePctOfCommitted { get; set; }
    public decimal? MonthlyBudget { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Alert : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? AutomationVersionId { get; set; }
    /// <summary><c>failure_rate</c>, <c>volume</c> or <c>budget</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>Deduplication key: one alert per threshold per period (e.g. <c>2026-11</c>).</summary>
    public required string PeriodKey { get; set; }
    public string Status { get; set; } = "open";
    public required string Message { get; set; }
    public decimal? Value { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedById { get; set; }
}
