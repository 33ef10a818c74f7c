using System.Text.Json;
using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

public sealed class ListProjectsRequest : PageQuery
{
    [QueryParam]
    public string? Status { get; set; }

    [QueryParam, BindFrom("pricing_status")]
    public string? PricingStatus { get; set; }

    [QueryParam, BindFrom("owner_id")]
    public Guid? OwnerId { get; set; }

    [QueryParam, BindFrom("client_id")]
    public Guid? ClientId { get; set; }
}

public sealed class GetProjectRequest
{
    public Guid Id { get; set; }
}

public sealed record AdminProjectItem(
    Guid Id,
    Guid TenantId,
    Guid? ClientId,
    Guid AutomationId,
    Guid AutomationVersionId,
    string Name,
    string Type,
    string Status,
    string PricingStatus,
    Guid? OwnerId,
    DateOnly? Eta,
    int ChecklistProgress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One project with the names staff need to place it: its workspace, client, automation and version label.</summary>
public sealed record AdminProjectDetail(
    Guid Id,
    Guid TenantId,
    string TenantName,
    Guid? ClientId,
    string? ClientName,
    Guid AutomationId,
    string AutomationName,
    Guid AutomationVersionId,
    string Version,
    string Name,
    string Type,
    string Status,
    string PricingStatus,
    Guid? OwnerId,
    DateOnly? Eta,
    int ChecklistProgress,
    int OpenTasks,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The audit-log filters shared by the list and the export.</summary>
public interface IAuditLogFilter
{
    Guid? TenantId { get; }
    Guid? Actor { get; }
    string? Action { get; }
    string? ResourceType { get; }
    Guid? ResourceId { get; }
    DateTimeOffset? From { get; }
    DateTimeOffset? To { get; }
}

public sealed class ListAuditLogsRequest : PageQuery, IAuditLogFilter
{
    [QueryParam, BindFrom("tenant_id")]
    public Guid? TenantId { get; set; }

    /// <summary>The acting user's id.</summary>
    [QueryParam]
    public Guid? Actor { get; set; }

    /// <summary>An <c>action_type</c>, e.g. <c>client_health_changed</c>.</summary>
    [QueryParam]
    public string? Action { get; set; }

    [QueryParam, BindFrom("resource_type")]
    public string? ResourceType { get; set; }

    [QueryParam, BindFrom("resource_id")]
    public Guid? ResourceId { get; set; }

    /// <summary>Inclusive lower bound of <c>created_at</c>.</summary>
    [QueryParam]
    public DateTimeOffset? From { get; set; }

    /// <summary>Exclusive upper bound of <c>created_at</c>.</summary>
    [QueryParam]
    public DateTimeOffset? To { get; set; }
}

public sealed class ExportAuditLogsRequest : IAuditLogFilter
{
    /// <summary><c>ndjson</c> (default) or <c>csv</c>.</summary>
    [QueryParam]
    public string? Format { get; set; }

    [QueryParam, BindFrom("tenant_id")]
    public Guid? TenantId { get; set; }

    [QueryParam]
    public Guid? Actor { get; set; }

    [QueryParam]
    public string? Action { get; set; }

    [QueryParam, BindFrom("resource_type")]
    public string? ResourceType { get; set; }

    [QueryParam, BindFrom("resource_id")]
    public Guid? ResourceId { get; set; }

    [QueryParam]
    public DateTimeOffset? From { get; set; }

    [QueryParam]
    public DateTimeOffset? To { get; set; }
}

public sealed record AuditLogItem(
    Guid Id,
    Guid TenantId,
    Guid? UserId,
    string ActionType,
    string ResourceType,
    Guid? ResourceId,
    JsonElement Metadata,
    string? RequestId,
    DateTimeOffset CreatedAt);
