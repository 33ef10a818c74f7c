using FastEndpoints;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Outbox.Admin;

public sealed class ListJobsRequest : PageQuery
{
    [QueryParam]
    public string? Status { get; set; }

    [QueryParam]
    public string? Queue { get; set; }

    [QueryParam]
    public string? Type { get; set; }
}

public sealed class RetryJobRequest
{
    public Guid Id { get; set; }
}

/// <summary>An outbox row as staff see it. The payload is left out on purpose: it may hold secrets (reset tokens, invitation links).</summary>
public sealed record JobItem(
    Guid Id,
    Guid? TenantId,
    string Queue,
    string Type,
    string Status,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset AvailableAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    public static JobItem From(OutboxMessage m) => new(m.Id, m.TenantId, m.Queue, m.Type, m.Status, m.Attempts, m.MaxAttempts,
        m.AvailableAt, m.LastError, m.CreatedAt, m.CompletedAt);
}

internal static class JobStatuses
{
    public static readonly string[] All = [OutboxStatuses.Pending, OutboxStatuses.Processing, OutboxStatuses.Done, OutboxStatuses.Dead];
}
