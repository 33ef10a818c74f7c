using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow26_BlockUnblock;

public sealed class BlockVersionRequest
{
    public Guid Id { get; set; }

    /// <summary>Why the version stops; kept as its <c>blocked_reason</c>.</summary>
    public string Reason { get; set; } = "";

    /// <summary><c>general</c> (default) or <c>credentials</c>: the block task is then a <c>credentials_issue</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

public sealed class UnblockVersionRequest
{
    public Guid Id { get; set; }

    /// <summary>Optional: what was done to unblock it (kept in the transition's audit row).</summary>
    public string? Reason { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

internal static class BlockKinds
{
    public const string General = "general";
    public const string Credentials = "credentials";
    public const int MaxReasonLength = 2000;
}
