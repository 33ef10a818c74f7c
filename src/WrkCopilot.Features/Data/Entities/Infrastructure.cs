using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

public static class OutboxStatuses
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Done = "done";
    public const string Dead = "dead";
}

/// <summary>A job or notification event, written in the same transaction as its cause.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public Guid? TenantId { get; set; }
    public required string Queue { get; set; }
    public required string Type { get; set; }
    public JsonDocument Payload { get; set; } = JsonDocument.Parse("{}");
    public string Status { get; set; } = OutboxStatuses.Pending;
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; } = 8;
    public DateTimeOffset AvailableAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public string? LastError { get; set; }
    public string? TraceParent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary><c>Idempotency-Key</c> records keyed by (principal, route, key).</summary>
public sealed class IdempotencyRecord
{
    public Guid Id { get; set; }
    public required string Principal { get; set; }
    public required string Route { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public byte[]? ResponseBody { get; set; }
    /// <summary>Headers of the first answer that a replay must carry too (Location, ETag).</summary>
    public JsonDocument? ResponseHeaders { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
