using System.Text.Json;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>A workflow on the WRK Platform, one per automation version.</summary>
public sealed record PlatformWorkflow(string WorkflowId, string? Url, string Status);

/// <summary>
/// Create a version's workflow. <paramref name="ExternalRef"/> (the automation version id) makes the call idempotent on the
/// platform side: creating twice with the same reference returns the same workflow.
/// </summary>
public sealed record CreateWorkflow(string ExternalRef, string TenantRef, string Name, JsonElement Blueprint);

public sealed record UpdateWorkflow(JsonElement Blueprint);

/// <summary>One row of the platform's usage export: a workflow's runs on one UTC day.</summary>
public sealed record PlatformUsageRow(string WorkflowId, DateOnly Date, long RunCount, long SuccessCount, long FailureCount, decimal Cost);

public sealed record PlatformUsagePage(IReadOnlyList<PlatformUsageRow> Items, string? NextCursor);

public enum PlatformOutcome
{
    Ok,
    /// <summary>Timeouts, 5xx, 429, connection failures: try again later (retried with backoff by the client first).</summary>
    Unavailable,
    /// <summary>A 4xx: the platform refused the request; retrying the same request cannot help.</summary>
    Rejected,
}

/// <summary>What a platform call came to: a value, or why not (the platform's own error code and message on a refusal).</summary>
public sealed record PlatformResult<T>(PlatformOutcome Outcome, T? Value, int? StatusCode = null, string? ErrorCode = null,
    string? Error = null, TimeSpan? RetryAfter = null)
{
    public bool IsOk => Outcome == PlatformOutcome.Ok;

    public static PlatformResult<T> Ok(T value) => new(PlatformOutcome.Ok, value);

    public static PlatformResult<T> Unavailable(string error, int? status = null, TimeSpan? retryAfter = null) =>
        new(PlatformOutcome.Unavailable, default, status, "platform_unavailable", error, retryAfter);

    public static PlatformResult<T> Rejected(int status, string? code, string error) => new(PlatformOutcome.Rejected, default, status, code, error);
}

/// <summary>
/// The WRK Platform as this service uses it (docs/wrk-platform-api.md). Every call is idempotent: activating an active
/// workflow, deactivating an inactive one or creating with a known external reference changes nothing. Calls are never made
/// inside a database transaction (flows.md, the version lifecycle).
/// </summary>
public interface IWrkPlatformClient
{
    Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct);

    Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct);

    Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct);

    Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct);

    /// <summary>The usage export for UTC days <paramref name="from"/>..<paramref name="to"/> (inclusive), page by page.</summary>
    Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct);
}
