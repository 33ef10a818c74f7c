using System.ComponentModel.DataAnnotations;
using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow30_SendMessage;

public static class MessageTypes
{
    public const string Client = "client";
    public const string Ops = "ops";
    public const string InternalNote = "internal_note";
    public const string System = "system";
}

/// <summary>A message on a project or a version: exactly one of <see cref="ProjectId"/> and <see cref="AutomationVersionId"/>.</summary>
public sealed class SendMessageRequest
{
    public Guid? ProjectId { get; set; }
    public Guid? AutomationVersionId { get; set; }
    public string Type { get; set; } = "";
    public string Text { get; set; } = "";
    // [MaxLength] only states the validator's limits in the OpenAPI document (maxItems); the validator enforces them.
    [MaxLength(SendMessageValidator.MaxAttachments)]
    public List<AttachmentReference>? Attachments { get; set; }
    [MaxLength(SendMessageValidator.MaxTags)]
    public List<string>? Tags { get; set; }
}

/// <summary>An attachment is a reference to a requirement artifact of the same tenant, never a blob in the message.</summary>
public sealed class AttachmentReference
{
    public Guid? ArtifactId { get; set; }
}

public sealed record AttachmentView(Guid ArtifactId, string? FileName, string ContentType, long SizeBytes);

public sealed record MessageView(
    Guid Id,
    Guid? ProjectId,
    Guid? AutomationVersionId,
    string Type,
    string Visibility,
    Guid? SenderId,
    string Text,
    IReadOnlyList<AttachmentView> Attachments,
    IReadOnlyList<string> Tags,
    DateTimeOffset CreatedAt);

public sealed class ListProjectMessagesRequest : PageQuery
{
    public Guid Id { get; set; }

    /// <summary>Search in the text (case-insensitive); a client's search never reaches internal notes.</summary>
    [QueryParam]
    public string? Q { get; set; }
}

public sealed class ListAutomationMessagesRequest : PageQuery
{
    public Guid Id { get; set; }

    [QueryParam]
    public string? Q { get; set; }
}
