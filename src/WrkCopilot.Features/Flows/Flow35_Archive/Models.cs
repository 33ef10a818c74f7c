using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow35_Archive;

public sealed class ArchiveVersionRequest
{
    public Guid Id { get; set; }
    public string? Reason { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

public sealed class ArchiveAutomationRequest
{
    public Guid Id { get; set; }
    public string? Reason { get; set; }
}
