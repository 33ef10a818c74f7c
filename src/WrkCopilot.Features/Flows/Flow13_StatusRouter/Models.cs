using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow13_StatusRouter;

public sealed class ChangeVersionStatusRequest
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "";
    public string? Reason { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

public sealed class ChangeProjectStatusRequest
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "";
    public string? Reason { get; set; }

    /// <summary>Optional: the version's <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

public sealed record VersionStatusResponse(
    Guid Id,
    Guid AutomationId,
    string Version,
    string Status,
    string? StatusBeforeBlocked,
    string? BlockedReason,
    long RowVersion,
    DateTimeOffset UpdatedAt);

public sealed record ProjectStatusResponse(
    Guid Id,
    Guid ProjectId,
    Guid AutomationId,
    string Version,
    string Status,
    string? StatusBeforeBlocked,
    string? BlockedReason,
    long RowVersion,
    DateTimeOffset UpdatedAt);
