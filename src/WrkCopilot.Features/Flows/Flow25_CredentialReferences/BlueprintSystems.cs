using System.Text.Json;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

/// <summary>The systems a version needs credentials for: the distinct <c>system</c> values of its blueprint's steps (case-insensitive, first spelling kept, in document order).</summary>
internal static class BlueprintSystems
{
    public static IReadOnlyList<string> Of(JsonElement blueprint)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var systems = new List<string>();
        if (blueprint.ValueKind != JsonValueKind.Object || !blueprint.TryGetProperty("sections", out var sections) ||
            sections.ValueKind != JsonValueKind.Array)
        {
            return systems;
        }
        foreach (var section in sections.EnumerateArray())
        {
            if (section.ValueKind != JsonValueKind.Object || !section.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var step in steps.EnumerateArray())
            {
                if (step.ValueKind == JsonValueKind.Object && step.TryGetProperty("system", out var system) &&
                    system.ValueKind == JsonValueKind.String && system.GetString()?.Trim() is { Length: > 0 } name && seen.Add(name))
                {
                    systems.Add(name);
                }
            }
        }
        return systems;
    }
}
