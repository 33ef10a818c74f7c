using System.Text.Json;

namespace WrkCopilot.Features.Kernel.Blueprints;

public sealed record StepSummary(string Id, string? SectionId, string? Type, string? Title);

/// <summary>A field of a step that differs: its value in the base document and in the compared one (JSON; null when absent).</summary>
public sealed record FieldChange(JsonElement? From, JsonElement? To);

public sealed record StepChange(string Id, string? SectionId, IReadOnlyDictionary<string, FieldChange> Changes);

public sealed record BlueprintDifference(
    IReadOnlyList<StepSummary> Added,
    IReadOnlyList<StepSummary> Removed,
    IReadOnlyList<StepChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;
}

/// <summary>
/// Steps matched by id between two valid blueprints: added (only in <c>to</c>), removed (only in <c>from</c>) and
/// changed (in both, with each differing field; <c>section</c> when a step moved). Used by Flow 12's diff endpoint
/// and by the blueprint writer's audit row (the size of a change, never the document).
/// </summary>
public static class BlueprintDiff
{
    private static readonly string[] ComparedFields =
        ["type", "title", "system", "description", "inputs", "outputs", "next", "loop", "metadata"];

    public static BlueprintDifference Compare(JsonElement from, JsonElement to)
    {
        var before = Steps(from);
        var after = Steps(to);
        var added = after.Values.Where(s => !before.ContainsKey(s.Id)).Select(s => s.Summary()).ToList();
        var removed = before.Values.Where(s => !after.ContainsKey(s.Id)).Select(s => s.Summary()).ToList();
        var changed = new List<StepChange>();
        foreach (var (id, b) in before)
        {
            if (!after.TryGetValue(id, out var a))
            {
                continue;
            }
            var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
            if (b.SectionId != a.SectionId)
            {
                changes["section"] = new FieldChange(Str(b.SectionId), Str(a.SectionId));
            }
            foreach (var field in ComparedFields)
            {
                var x = Field(b.Element, field);
                var y = Field(a.Element, field);
                if (!Same(x, y))
                {
                    changes[field] = new FieldChange(x, y);
                }
            }
            if (changes.Count > 0)
            {
                changed.Add(new StepChange(id, a.SectionId, changes));
            }
        }
        return new BlueprintDifference(added, removed, changed);
    }

    /// <summary>Number of steps in a blueprint (0 for a document without sections).</summary>
    public static int StepCount(JsonElement document) => Steps(document).Count;

    private sealed record Step(string Id, string? SectionId, JsonElement Element)
    {
        public StepSummary Summary() => new(Id, SectionId, Text(Element, "type"), Text(Element, "title"));
    }

    // Document order is kept so that lists read in the order the blueprint shows them.
    private static Dictionary<string, Step> Steps(JsonElement document)
    {
        var steps = new Dictionary<string, Step>(StringComparer.Ordinal);
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("sections", out var sections) ||
            sections.ValueKind != JsonValueKind.Array)
        {
            return steps;
        }
        foreach (var section in sections.EnumerateArray())
        {
            if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("steps", out var list) ||
                list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            var sectionId = Text(section, "id");
            foreach (var step in list.EnumerateArray())
            {
                if (Text(step, "id") is { } id)
                {
                    steps.TryAdd(id, new Step(id, sectionId, step));
                }
            }
        }
        return steps;
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // Absent, null, "", an empty list or object and loop=false all mean "nothing": writing them out explicitly is not a change.
    private static JsonElement? Field(JsonElement step, string name)
    {
        if (!step.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ||
            (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 0) ||
            (v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any()) ||
            (v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0) ||
            v.ValueKind == JsonValueKind.False && name == "loop")
        {
            return null;
        }
        return v.Clone();
    }

    private static bool Same(JsonElement? x, JsonElement? y) =>
        x is null ? y is null : y is not null && JsonElement.DeepEquals(x.Value, y.Value);

    private static JsonElement? Str(string? value) => value is null ? null : JsonSerializer.SerializeToElement(value);
}
