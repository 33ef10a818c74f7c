using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow24_Launch;

public sealed class LaunchRequest
{
    public Guid Id { get; set; }

    /// <summary>Optional; recorded in the transition's audit row.</summary>
    public string? Reason { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}
