using System.Text.Json;
using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow10_UpdateBlueprint;

public sealed class GetBlueprintRequest
{
    public Guid Id { get; set; }
}

/// <summary>The body is the whole canonical blueprint document; the version's row version goes in <c>If-Match</c>.</summary>
public sealed class PutBlueprintRequest
{
    public Guid Id { get; set; }

    /// <summary>Required: the <c>ETag</c> of the last GET (the version's quoted row_version, e.g. <c>"7"</c>).</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }

    [FromBody]
    public JsonElement Blueprint { get; set; }
}

/// <summary>A version's blueprint with what a client needs to edit it: the row version (also the <c>ETag</c>) and whether it may change now.</summary>
public sealed record BlueprintView(
    Guid AutomationVersionId,
    Guid AutomationId,
    string Version,
    string Status,
    bool Editable,
    int IntakeProgress,
    int StepCount,
    long RowVersion,
    DateTimeOffset UpdatedAt,
    JsonElement Blueprint);
