using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

/// <summary>
/// Either a <c>multipart/form-data</c> body with up to <see cref="RequirementsLimits.MaxFiles"/> files in parts named
/// <c>files</c>, or a JSON body <c>{ "text": "..." }</c>.
/// </summary>
public sealed class CaptureRequirementsRequest
{
    public Guid Id { get; set; }

    /// <summary>The requirements as plain text (JSON body only; at most 1 MB of UTF-8).</summary>
    public string? Text { get; set; }
}

public sealed class ListRequirementsRequest : PageQuery
{
    public Guid Id { get; set; }
}

public static class RequirementsLimits
{
    public const int MaxFiles = 5;
    public const long MaxFileBytes = 20L * 1024 * 1024;
    public const int MaxTextBytes = 1024 * 1024;
    /// <summary>The endpoint's request body limit: every file at its cap plus room for the multipart framing.</summary>
    public const long MaxRequestBytes = (MaxFiles * MaxFileBytes) + (1024 * 1024);

    /// <summary>A JSON body: 1 MB of text even if every character is escaped (<c>\uXXXX</c>, 6 bytes), plus the envelope.</summary>
    public const long MaxJsonRequestBytes = (MaxTextBytes * 6L) + (64 * 1024);
}

public static class ArtifactKinds
{
    public const string File = "file";
    public const string Text = "text";
}

/// <summary>Processing state of one artifact: <c>pending</c> until the worker has run, then one of the others.</summary>
public static class ArtifactStatuses
{
    public const string Pending = "pending";
    public const string Processed = "processed";
    public const string Failed = "failed";
    /// <summary>The version left intake before the artifact was processed: nothing was written.</summary>
    public const string Skipped = "skipped";

    public static bool IsFinished(string status) => status is Processed or Failed or Skipped;
}

public sealed record RequirementArtifactView(
    Guid Id,
    Guid AutomationVersionId,
    string Kind,
    string? FileName,
    string ContentType,
    long SizeBytes,
    string Sha256,
    string Status,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ProcessedAt)
{
    public static RequirementArtifactView Of(RequirementArtifact a) => new(a.Id, a.AutomationVersionId, a.Kind, a.FileName,
        a.ContentType, a.SizeBytes, a.Sha256, a.Status, a.Error, a.CreatedAt, a.ProcessedAt);
}

public sealed record RequirementsCaptured(Guid AutomationVersionId, int IntakeProgress, IReadOnlyList<RequirementArtifactView> Artifacts);

/// <summary>The outbox payload of one artifact's ingestion.</summary>
public sealed record RequirementsIngestion(Guid ArtifactId);

/// <summary>
/// <c>intake_progress</c>: the share of a version's artifacts the worker has finished with (processed, failed or skipped:
/// a failed artifact is done being worked on, and its error is in the list), floored, so 100 only when none is pending.
/// </summary>
public static class IntakeProgress
{
    public static int Compute(IReadOnlyCollection<string> statuses)
    {
        if (statuses.Count == 0)
        {
            return 0;
        }
        var finished = statuses.Count(ArtifactStatuses.IsFinished);
        return finished == statuses.Count ? 100 : finished * 100 / statuses.Count;
    }
}
