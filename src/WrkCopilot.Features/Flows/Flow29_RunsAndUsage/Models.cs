using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow29_RunsAndUsage;

public sealed class VersionRequest
{
    public Guid Id { get; set; }
}

public sealed record WorkflowBindingView(Guid Id, Guid AutomationVersionId, string WrkWorkflowId, string? WrkWorkflowUrl, string Status,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed class ListRunsRequest : PageQuery
{
    public Guid Id { get; set; }

    [QueryParam]
    public string? Status { get; set; }

    /// <summary>Runs started at or after this time.</summary>
    [QueryParam]
    public DateTimeOffset? From { get; set; }

    /// <summary>Runs started before this time.</summary>
    [QueryParam]
    public DateTimeOffset? To { get; set; }
}

/// <summary>A run as listed; <c>cost</c> is money with four decimals, as a string.</summary>
public sealed record RunView(Guid Id, string RunId, string Status, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt,
    string? ErrorMessage, string? Cost, System.Text.Json.JsonElement Metadata, DateTimeOffset UpdatedAt);

public sealed class UsageRequest
{
    public Guid Id { get; set; }

    /// <summary><c>day</c> (default) or <c>month</c>.</summary>
    [QueryParam]
    public string? Granularity { get; set; }

    /// <summary>First period to include (a date); default 90 days (day) or 24 months (month) back.</summary>
    [QueryParam]
    public DateOnly? From { get; set; }

    [QueryParam]
    public DateOnly? To { get; set; }
}

public sealed record UsagePeriodView(DateOnly PeriodStart, DateOnly PeriodEnd, long RunCount, long SuccessCount, long FailureCount,
    string TotalCost);

/// <summary>Usage of one version, oldest period first. Aggregates trail the run events by a few seconds (Flow 28).</summary>
public sealed record UsageView(Guid AutomationVersionId, string Granularity, IReadOnlyList<UsagePeriodView> Periods);

/// <summary>A tenant's thresholds; null means the check is off. <c>monthly_budget</c> is money as a string.</summary>
public sealed record AlertThresholdsView(decimal? FailureRatePct, int? WindowRuns, decimal? VolumePctOfCommitted, string? MonthlyBudget,
    DateTimeOffset? UpdatedAt);

public sealed class PutAlertThresholdsRequest
{
    public decimal? FailureRatePct { get; set; }
    public int? WindowRuns { get; set; }
    public decimal? VolumePctOfCommitted { get; set; }
    public string? MonthlyBudget { get; set; }
}

public sealed class ListAlertsRequest : PageQuery
{
    /// <summary><c>open</c> or <c>acknowledged</c>.</summary>
    [QueryParam]
    public string? Status { get; set; }
}

public sealed record AlertView(Guid Id, string Kind, Guid? AutomationVersionId, string PeriodKey, string Status, string Message,
    string? Value, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, Guid? AcknowledgedById);

public sealed class AckAlertRequest
{
    public Guid Id { get; set; }
}
