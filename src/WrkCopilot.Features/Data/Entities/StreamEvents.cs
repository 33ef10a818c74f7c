using System.Text.Json;

namespace WrkCopilot.Features.Data.Entities;

/// <summary>
/// One change pushed to <c>GET /v1/events/stream</c>, written in the transaction of the change itself
/// (see Kernel/Events). The identity <see cref="Id"/> is the SSE event id a client resumes from.
/// </summary>
public sealed class StreamEvent : ITenantScoped
{
    public long Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Type { get; set; }
    /// <summary><c>client</c> or <c>staff</c>: staff events never reach a client session.</summary>
    public string Visibility { get; set; } = Entities.Visibility.Client;
    /// <summary>Set for per-user events (notifications): only that user receives it.</summary>
    public Guid? UserId { get; set; }
    public JsonDocument Data { get; set; } = JsonDocument.Parse("{}");
    public DateTimeOffset CreatedAt { get; set; }
}
