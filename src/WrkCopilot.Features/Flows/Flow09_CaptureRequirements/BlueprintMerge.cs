using System.Text.Json;
using System.Text.Json.Nodes;
using WrkCopilot.Features.Kernel.Blueprints;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

/// <summary>
/// Combines an extraction with the version's current blueprint. A blueprint without steps is replaced (keeping its
/// summary when the extraction has none); otherwise the extracted sections are appended, their ids (sections and steps)
/// renamed where they collide (<c>st_1</c> → <c>st_1_2</c>) and their <c>next</c> links renamed with them, so nothing
/// already in the blueprint changes.
/// </summary>
internal static class BlueprintMerge
{
    public static string Combine(JsonElement current, JsonElement extracted)
    {
        var result = JsonNode.Parse(extracted.GetRawText())!.AsObject();
        if (BlueprintDiff.StepCount(current) == 0)
        {
            if (string.IsNullOrEmpty((string?)result["summary"]) && current.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String)
            {
                result["summary"] = s.GetString();
            }
            return result.ToJsonString();
        }

        var merged = JsonNode.Parse(current.GetRawText())!.AsObject();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in merged["sections"]!.AsArray())
        {
            used.Add((string)section!["id"]!);
            foreach (var step in section["steps"]!.AsArray())
            {
                used.Add((string)step!["id"]!);
            }
        }
        var newSections = result["sections"]!.AsArray();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in newSections)
        {
            section!["id"] = Unique((string)section["id"]!, used, renamed);
            foreach (var step in section["steps"]!.AsArray())
            {
                step!["id"] = Unique((string)step["id"]!, used, renamed);
            }
        }
        foreach (var section in newSections)
        {
            foreach (var step in section!["steps"]!.AsArray())
            {
                if (step!["next"] is JsonArray next)
                {
                    for (var i = 0; i < next.Count; i++)
                    {
                        var target = (string)next[i]!;
                        next[i] = renamed.GetValueOrDefault(target, target);
                    }
                }
            }
        }
        var sections = merged["sections"]!.AsArray();
        foreach (var section in newSections.ToList())
        {
            newSections.Remove(section);
            sections.Add(section);
        }
        if (string.IsNullOrEmpty((string?)merged["summary"]) && result["summary"] is { } summary)
        {
            merged["summary"] = summary.DeepClone();
        }
        return merged.ToJsonString();
    }

    private static string Unique(string id, HashSet<string> used, Dictionary<string, string> renamed)
    {
        var candidate = id;
        var stem = id.Length > BlueprintSchema.MaxIdLength - 8 ? id[..(BlueprintSchema.MaxIdLength - 8)] : id;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = $"{stem}_{n}";
        }
        renamed[id] = candidate;
        return candidate;
    }
}
