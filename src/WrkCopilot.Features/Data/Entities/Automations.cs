using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

public sealed class Automation : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? Department { get; set; }
    public Guid? OwnerId { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>
    /// The platform-operation lease (ADR 0017): the launch, pause, resume or archive of one of its versions now calling the
    /// WRK Platform, until <see cref="PlatformOpUntil"/>. Written only by <c>PlatformTransitions</c>, in SQL.
    /// </summary>
    public Guid? PlatformOpId { get; set; }
    public DateTimeOffset? PlatformOpUntil { get; set; }
}

public sealed class AutomationVersion : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationId { get; set; }
    /// <summary>Display label, e.g. <c>v1.0</c>.</summary>
    public required string Version { get; set; }
    public int Major { get; set; }
    public int Minor { get; set; }
    /// <summary>Written only by Kernel/Lifecycle (a test enforces it).</summary>
    public string Status { get; internal set; } = VersionStatuses.IntakeInProgress;
    public string? StatusBeforeBlocked { get; internal set; }
    public string? BlockedReason { get; internal set; }
    public JsonDocument BlueprintJson { get; set; } = JsonDocument.Parse("{}");
    public int IntakeProgress { get; set; }
    public string? Notes { get; set; }
    /// <summary>Optimistic concurrency token, bumped by every write.</summary>
    public long RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class VersionStatuses
{
    public const string IntakeInProgress = "intake_in_progress";
    public const string NeedsPricing = "needs_pricing";
    public const string AwaitingClientApproval = "awaiting_client_approval";
    public const string BuildInProgress = "build_in_progress";
    public const string QaTesting = "qa_testing";
    public const string ReadyToLaunch = "ready_to_launch";
    public const string Live = "live";
    public const string Paused = "paused";
    public const string Blocked = "blocked";
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All =
    [
        IntakeInProgress, NeedsPricing, AwaitingClientApproval, BuildInProgress, QaTesting,
        ReadyToLaunch, Live, Paused, Blocked, Archived,
    ];
}

public sealed class RequirementArtifact : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public required string Kind { get; set; }
    public string? FileName { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    public required string Sha256 { get; set; }
    public Guid? StoredFileId { get; set; }
    public string Status { get; set; } = "pending";
    public string? Error { get; set; }
    public Guid? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
}

/// <summary>The default file store's rows: artifact bytes kept in PostgreSQL so any instance's worker can read them.</summary>
public sealed class StoredFile : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Project : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? ClientId { get; set; }
    public Guid AutomationId { get; set; }
    public Guid AutomationVersionId { get; set; }
    public required string Name { get; set; }
    /// <summary><c>new_automation</c> or <c>revision</c>.</summary>
    public required string Type { get; set; }
    /// <summary>Mirrors the version's status; written by Kernel/Lifecycle with it.</summary>
    public string Status { get; internal set; } = VersionStatuses.IntakeInProgress;
    public string PricingStatus { get; set; } = "none";
    public Guid? OwnerId { get; set; }
    public DateOnly? Eta { get; set; }
    public int ChecklistProgress { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
