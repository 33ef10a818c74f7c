using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

public static class Visibility
{
    public const string Client = "client";
    /// <summary>For WRK staff only: never returned to a client session by any path.</summary>
    public const string Staff = "staff";
}

public sealed class Message : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? ProjectId { get; set; }
    public Guid? AutomationVersionId { get; set; }
    /// <summary><c>client</c>, <c>ops</c>, <c>internal_note</c> or <c>system</c>.</summary>
    public required string Type { get; set; }
    public string Visibility { get; set; } = Entities.Visibility.Client;
    public Guid? SenderId { get; set; }
    public required string Text { get; set; }
    public JsonDocument AttachmentsJson { get; set; } = JsonDocument.Parse("[]");
    public List<string> Tags { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class TaskItem : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    /// <summary><c>project</c>, <c>automation_version</c>, <c>client</c> or <c>internal</c>.</summary>
    public required string ContextType { get; set; }
    public Guid? ContextId { get; set; }
    /// <summary><c>pricing</c>, <c>build_checklist</c>, <c>credentials_issue</c>, <c>general_todo</c>, <c>client_retention</c>, …</summary>
    public required string Kind { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary><c>todo</c>, <c>in_progress</c>, <c>done</c>, <c>blocked</c>, <c>cancelled</c>.</summary>
    public string Status { get; set; } = "todo";
    public string Visibility { get; set; } = Entities.Visibility.Client;
    public Guid? AssigneeId { get; set; }
    public DateOnly? DueDate { get; set; }
    public string Priority { get; set; } = "medium";
    public Guid? CreatedById { get; set; }
    public long RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Append-only: the app role has no UPDATE/DELETE and a trigger refuses both for everyone else.</summary>
public sealed class AuditLog : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? UserId { get; set; }
    public required string ActionType { get; set; }
    public required string ResourceType { get; set; }
    public Guid? ResourceId { get; set; }
    public JsonDocument MetadataJson { get; set; } = JsonDocument.Parse("{}");
    public string? RequestId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Notification : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    /// <summary>The recipient; null for a channel addressed to the tenant, not a person (the Slack webhook).</summary>
    public Guid? UserId { get; set; }
    public required string EventType { get; set; }
    /// <summary>The outbox event that produced it: (event, recipient, channel) is sent once.</summary>
    public Guid? EventId { get; set; }
    /// <summary><c>in_app</c>, <c>email</c> or <c>slack</c>.</summary>
    public string Channel { get; set; } = "in_app";
    public required string Title { get; set; }
    public string? Body { get; set; }
    public JsonDocument DataJson { get; set; } = JsonDocument.Parse("{}");
    /// <summary>When the channel's send was claimed (email, Slack): set before sending, so a retried job never sends twice.</summary>
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
