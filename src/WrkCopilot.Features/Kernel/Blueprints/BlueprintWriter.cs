using System.Text.Json;
using ErrorOr;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Blueprints;

/// <summary>Who writes: a person through Flow 10's PUT, or the AI ingestion worker.</summary>
public static class BlueprintSources
{
    public const string Api = "api";
    public const string AiIngestion = "ai_ingestion";
}

/// <summary>
/// A whole blueprint to store. <paramref name="ByteCount"/> is its UTF-8 size as received. <paramref name="ExpectedRowVersions"/>:
/// the version's row versions the writer may have read (an <c>If-Match</c>); null skips the check (the worker
/// re-reads the version in its own transaction, and the row version still guards the save).
/// </summary>
public sealed record BlueprintWrite(JsonElement Document, long ByteCount, string Source,
    IReadOnlyList<long>? ExpectedRowVersions, IReadOnlyDictionary<string, object?>? AuditContext = null);

public sealed record BlueprintWritten(AutomationVersion Version, BlueprintDifference Difference, int StepCount);

/// <summary>
/// The one writer of <c>automation_versions.blueprint_json</c> (Flow 10 and the AI ingestion worker, flows.md):
/// the version must be editable, the document valid against the canonical schema, the caller's view of the
/// version current; then the document is stored, audited by the size of the change (never its content) and saved.
/// A racing writer that committed first makes the save fail on the row version (409 via the unit of work).
/// </summary>
public sealed class BlueprintWriter(AppDbContext db, AuditTrail audit, TimeProvider clock) : IHandler
{
    /// <summary>The statuses in which a blueprint may change (flows.md, Flow 10).</summary>
    public static readonly IReadOnlyList<string> EditableStatuses = [VersionStatuses.IntakeInProgress, VersionStatuses.NeedsPricing];

    public static bool IsEditable(AutomationVersion version) => EditableStatuses.Contains(version.Status);

    public static Error NotEditable(AutomationVersion version) => AppErrors.Conflict("version_not_editable",
        $"The blueprint of a version in status '{version.Status}' cannot change; it can while the version is {string.Join(" or ", EditableStatuses)}.",
        new Dictionary<string, object> { ["current_status"] = version.Status, ["editable_statuses"] = EditableStatuses });

    public async Task<ErrorOr<BlueprintWritten>> WriteAsync(AutomationVersion version, BlueprintWrite write, CancellationToken ct)
    {
        if (write.ExpectedRowVersions is { } expected && !expected.Contains(version.RowVersion))
        {
            return AppErrors.PreconditionFailed(
                $"The version changed since it was read (row_version is {version.RowVersion}); reload the blueprint and retry.");
        }
        if (!IsEditable(version))
        {
            return NotEditable(version);
        }
        var problems = BlueprintSchema.Validate(write.Document, write.ByteCount);
        if (problems.Count > 0)
        {
            return problems.Select(p => AppErrors.Validation(p.Path, p.Message)).ToList();
        }

        var difference = BlueprintDiff.Compare(version.BlueprintJson.RootElement, write.Document);
        var stepsBefore = BlueprintDiff.StepCount(version.BlueprintJson.RootElement);
        var stepsAfter = BlueprintDiff.StepCount(write.Document);
        version.BlueprintJson = JsonDocument.Parse(write.Document.GetRawText());
        version.UpdatedAt = clock.GetUtcNow();

        var metadata = new Dictionary<string, object?>
        {
            ["source"] = write.Source,
            ["bytes"] = write.ByteCount,
            ["steps_before"] = stepsBefore,
            ["steps_after"] = stepsAfter,
            ["steps_added"] = difference.Added.Count,
            ["steps_removed"] = difference.Removed.Count,
            ["steps_changed"] = difference.Changed.Count,
        };
        foreach (var (k, v) in write.AuditContext ?? new Dictionary<string, object?>())
        {
            metadata[k] = v;
        }
        audit.Record("blueprint_updated", "automation_version", version.Id, metadata);
        await db.SaveChangesAsync(ct);
        return new BlueprintWritten(version, difference, stepsAfter);
    }
}
