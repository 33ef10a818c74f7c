using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow32_UpdateTaskStatus;

public sealed class UpdateTaskStatusRequest
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "";

    /// <summary>Optional: the task's <c>row_version</c> the caller last saw (<c>"3"</c>); a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}
