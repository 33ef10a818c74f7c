using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow23_QaResult;

public sealed class QaResultRequest
{
    public Guid Id { get; set; }

    /// <summary><c>pass</c> (T6) or <c>fail</c> (T7).</summary>
    public string Result { get; set; } = "";

    /// <summary>What QA found; required on <c>fail</c> (they go to the rebuild as its notes).</summary>
    public string? Notes { get; set; }

    /// <summary>Optional: the <c>row_version</c> the caller last saw; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

internal static class QaResults
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const int MaxNotesLength = 2000;
}
