using FastEndpoints;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow12_NewVersion;

public sealed class CreateVersionRequest
{
    public Guid Id { get; set; }
    /// <summary><c>minor</c> (v1.0 → v1.1) or <c>major</c> (v1.0 → v2.0), counted from the automation's highest version.</summary>
    public string Bump { get; set; } = "";
    public string? Notes { get; set; }
}

public sealed record VersionCreated(VersionSummary Version, Guid ProjectId, Guid? CopiedFromVersionId);

public sealed class ListVersionsRequest : PageQuery
{
    public Guid Id { get; set; }
}

public sealed class DiffRequest
{
    public Guid Id { get; set; }

    /// <summary>The version to compare against (the base): another version of the same automation.</summary>
    [QueryParam]
    public Guid? Against { get; set; }
}

/// <summary>What changed from <c>against</c> (the base) to this version, step by step id.</summary>
public sealed record BlueprintDiffView(
    Guid AutomationVersionId,
    string Version,
    Guid Against,
    string AgainstVersion,
    IReadOnlyList<StepSummary> Added,
    IReadOnlyList<StepSummary> Removed,
    IReadOnlyList<StepChange> Changed);
