using System.Text;
using System.Text.Json;

namespace WrkCopilot.Features.Kernel.Blueprints;

/// <summary>One broken rule of the canonical blueprint, at the JSON path of the offending value.</summary>
public sealed record BlueprintProblem(string Path, string Message);

/// <summary>
/// The canonical blueprint schema (flows.md, "The canonical blueprint"), checked on a parsed document so that
/// every problem names its JSON path. Everything that writes a blueprint (Flow 10's PUT, the AI ingestion worker,
/// a new version's copy) goes through <see cref="Validate"/> via the <see cref="BlueprintWriter"/>.
/// Sections and steps are as strict as the top level (unknown fields refused, ADR 0008); free-form data belongs
/// in the top-level <c>metadata</c> object or a step's or section's own <c>metadata</c> object.
/// </summary>
public static class BlueprintSchema
{
    public const int SchemaVersion = 1;
    public const int MaxSteps = 2000;
    public const int MaxDocumentBytes = 1024 * 1024;
    public const int MaxIdLength = 100;
    public const int MaxTitleLength = 500;
    public const int MaxSummaryLength = 5000;
    public const int MaxDescriptionLength = 20_000;
    public const int MaxSystemLength = 100;
    public const int MaxListItems = 100;
    public const int MaxListItemLength = 200;
    /// <summary>Problems reported for one document: enough to fix it, bounded so a hostile document cannot make a huge answer.</summary>
    public const int MaxProblems = 100;
    private const int MaxCyclesReported = 10;
    private const int MaxCycleIdsShown = 20;
    /// <summary>A number PostgreSQL's <c>jsonb</c> (numeric) can store comfortably; longer literals are refused by path.</summary>
    private const int MaxNumberLength = 64;

    public static readonly IReadOnlyList<string> StepTypes = ["trigger", "action", "decision", "human", "ai", "wait"];

    private static readonly HashSet<string> TopLevelFields = ["schema_version", "summary", "sections", "metadata"];
    private static readonly HashSet<string> SectionFields = ["id", "title", "steps", "metadata"];
    private static readonly HashSet<string> StepFields =
        ["id", "type", "title", "system", "description", "inputs", "outputs", "next", "loop", "metadata"];

    /// <summary>The blueprint a new version starts with.</summary>
    public static JsonDocument Empty() =>
        JsonDocument.Parse("""{"schema_version":1,"summary":"","sections":[],"metadata":{}}""");

    /// <summary>Every broken rule of <paramref name="document"/> (empty when valid). <paramref name="byteCount"/>: its UTF-8 size.</summary>
    public static IReadOnlyList<BlueprintProblem> Validate(JsonElement document, long byteCount)
    {
        var v = new Run();
        if (byteCount > MaxDocumentBytes)
        {
            v.Add("$", $"The document is {byteCount:N0} bytes; at most {MaxDocumentBytes:N0} (1 MB) are allowed.");
            return v.Problems;
        }
        if (document.ValueKind != JsonValueKind.Object)
        {
            v.Add("$", "A blueprint is a JSON object.");
            return v.Problems;
        }
        v.Fields(document, "$", TopLevelFields);
        v.Scan(document, "$");

        if (!document.TryGetProperty("schema_version", out var schema))
        {
            v.Add("$.schema_version", "Required.");
        }
        else if (schema.ValueKind != JsonValueKind.Number || !schema.TryGetInt32(out var sv) || sv != SchemaVersion)
        {
            v.Add("$.schema_version", $"Must be {SchemaVersion}.");
        }
        if (document.TryGetProperty("summary", out var summary))
        {
            v.Text(summary, "$.summary", MaxSummaryLength, required: false);
        }
        if (document.TryGetProperty("metadata", out var metadata) && metadata.ValueKind != JsonValueKind.Object)
        {
            v.Add("$.metadata", "Must be an object.");
        }

        var steps = new List<StepRef>();
        if (!document.TryGetProperty("sections", out var sections))
        {
            v.Add("$.sections", "Required (an empty list is allowed).");
        }
        else if (sections.ValueKind != JsonValueKind.Array)
        {
            v.Add("$.sections", "Must be a list.");
        }
        else
        {
            v.Sections(sections, steps);
        }
        if (steps.Count > MaxSteps)
        {
            v.Add("$.sections", $"The blueprint has {steps.Count:N0} steps; at most {MaxSteps:N0} are allowed.");
            return v.Problems;
        }
        v.Graph(steps);
        return v.Problems;
    }

    /// <summary>Validates UTF-8 JSON text (as a request body or an LLM answer arrives), parsing it first.</summary>
    public static (JsonDocument? Document, IReadOnlyList<BlueprintProblem> Problems) Parse(string json)
    {
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxDocumentBytes)
        {
            return (null, [new("$", $"The document is {bytes:N0} bytes; at most {MaxDocumentBytes:N0} (1 MB) are allowed.")]);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return (null, [new(ex.Path is { Length: > 0 } p ? p : "$", "Not valid JSON.")]);
        }
        var problems = Validate(doc.RootElement, bytes);
        if (problems.Count > 0)
        {
            doc.Dispose();
            return (null, problems);
        }
        return (doc, problems);
    }

    internal sealed record StepRef(string Id, string Path, JsonElement Element, bool Loop, IReadOnlyList<(string Id, string Path)> Next);

    private sealed class Run
    {
        public List<BlueprintProblem> Problems { get; } = [];
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

        public void Add(string path, string message)
        {
            if (Problems.Count < MaxProblems)
            {
                Problems.Add(new BlueprintProblem(path, message));
            }
        }

        public void Fields(JsonElement obj, string path, HashSet<string> allowed)
        {
            foreach (var p in obj.EnumerateObject())
            {
                if (!allowed.Contains(p.Name))
                {
                    Add(Child(path, p.Name), "Unknown field.");
                }
            }
        }

        // PostgreSQL's jsonb cannot hold U+0000 anywhere, and keeps only the last of a repeated key; both are refused by path.
        public void Scan(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String when ReadText(element, path) is { } text && text.Contains('\0', StringComparison.Ordinal):
                    Add(path, "Text must not contain the NUL character (U+0000).");
                    break;
                case JsonValueKind.Number when !IsStorableNumber(element.GetRawText()):
                    Add(path, "The number is too large or too precise to store.");
                    break;
                case JsonValueKind.Object:
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var p in element.EnumerateObject())
                    {
                        string name;
                        try
                        {
                            name = p.Name;
                        }
                        catch (InvalidOperationException)
                        {
                            Add($"{path}[?]", "A field name is not valid Unicode (an unpaired surrogate escape).");
                            continue;
                        }
                        var child = Child(path, name);
                        if (name.Contains('\0', StringComparison.Ordinal))
                        {
                            Add(child, "Field names must not contain the NUL character (U+0000).");
                        }
                        else if (!seen.Add(name))
                        {
                            Add(child, "Duplicate field.");
                        }
                        Scan(p.Value, child);
                    }
                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        Scan(item, $"{path}[{i++}]");
                    }
                    break;
            }
        }

        // An unpaired surrogate escape (\\ud800) parses as JSON but is not text; reported once, by Scan, at its path.
        private string? ReadText(JsonElement value, string path)
        {
            try
            {
                return value.GetString();
            }
            catch (InvalidOperationException)
            {
                Add(path, "The text is not valid Unicode (an unpaired surrogate escape).");
                return null;
            }
        }

        private static string? TryText(JsonElement value)
        {
            try
            {
                return value.GetString();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        public void Text(JsonElement value, string path, int max, bool required)
        {
            if (value.ValueKind == JsonValueKind.Null && !required)
            {
                return;
            }
            if (value.ValueKind != JsonValueKind.String)
            {
                Add(path, "Must be a string.");
                return;
            }
            if (TryText(value) is not { } s)
            {
                return; // not valid Unicode: reported by Scan
            }
            if (required && string.IsNullOrWhiteSpace(s))
            {
                Add(path, "Must not be empty.");
            }
            else if (s.Length > max)
            {
                Add(path, $"At most {max:N0} characters.");
            }
        }

        public void Sections(JsonElement sections, List<StepRef> steps)
        {
            var si = 0;
            foreach (var section in sections.EnumerateArray())
            {
                var path = $"$.sections[{si++}]";
                if (section.ValueKind != JsonValueKind.Object)
                {
                    Add(path, "A section is an object.");
                    continue;
                }
                Fields(section, path, SectionFields);
                Id(section, path);
                if (section.TryGetProperty("title", out var title))
                {
                    Text(title, $"{path}.title", MaxTitleLength, required: true);
                }
                else
                {
                    Add($"{path}.title", "Required.");
                }
                if (section.TryGetProperty("metadata", out var meta) && meta.ValueKind != JsonValueKind.Object)
                {
                    Add($"{path}.metadata", "Must be an object.");
                }
                if (!section.TryGetProperty("steps", out var list))
                {
                    Add($"{path}.steps", "Required (an empty list is allowed).");
                    continue;
                }
                if (list.ValueKind != JsonValueKind.Array)
                {
                    Add($"{path}.steps", "Must be a list.");
                    continue;
                }
                var i = 0;
                foreach (var step in list.EnumerateArray())
                {
                    if (steps.Count >= MaxSteps)
                    {
                        // Counted, not checked: the document is refused for its size anyway.
                        steps.Add(new StepRef("", "", step, false, []));
                        continue;
                    }
                    Step(step, $"{path}.steps[{i++}]", steps);
                }
            }
        }

        private string? Id(JsonElement obj, string path)
        {
            if (!obj.TryGetProperty("id", out var id))
            {
                Add($"{path}.id", "Required.");
                return null;
            }
            var value = id.ValueKind == JsonValueKind.String ? TryText(id) : null;
            if (string.IsNullOrWhiteSpace(value))
            {
                Add($"{path}.id", "Must be a non-empty string.");
                return null;
            }
            if (value.Length > MaxIdLength)
            {
                Add($"{path}.id", $"At most {MaxIdLength} characters.");
                return null;
            }
            if (_ids.TryGetValue(value, out var first))
            {
                Add($"{path}.id", $"The id '{value}' is already used at {first}; ids are unique across the document.");
                return null;
            }
            _ids[value] = $"{path}.id";
            return value;
        }

        private void Step(JsonElement step, string path, List<StepRef> steps)
        {
            if (step.ValueKind != JsonValueKind.Object)
            {
                Add(path, "A step is an object.");
                return;
            }
            Fields(step, path, StepFields);
            var id = Id(step, path);
            string? type = null;
            if (!step.TryGetProperty("type", out var t))
            {
                Add($"{path}.type", "Required.");
            }
            else if (t.ValueKind != JsonValueKind.String || TryText(t) is not { } typeName || !StepTypes.Contains(typeName))
            {
                Add($"{path}.type", $"Must be one of: {string.Join(", ", StepTypes)}.");
            }
            else
            {
                type = typeName;
            }
            if (step.TryGetProperty("title", out var title))
            {
                Text(title, $"{path}.title", MaxTitleLength, required: true);
            }
            else
            {
                Add($"{path}.title", "Required.");
            }
            if (step.TryGetProperty("system", out var system))
            {
                Text(system, $"{path}.system", MaxSystemLength, required: false);
            }
            if (step.TryGetProperty("description", out var description))
            {
                Text(description, $"{path}.description", MaxDescriptionLength, required: false);
            }
            StringList(step, "inputs", path);
            StringList(step, "outputs", path);
            var loop = false;
            if (step.TryGetProperty("loop", out var l))
            {
                if (l.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    loop = l.GetBoolean();
                }
                else
                {
                    Add($"{path}.loop", "Must be true or false.");
                }
            }
            if (step.TryGetProperty("metadata", out var meta) && meta.ValueKind != JsonValueKind.Object)
            {
                Add($"{path}.metadata", "Must be an object.");
            }
            var next = new List<(string, string)>();
            if (step.TryGetProperty("next", out var n))
            {
                if (n.ValueKind != JsonValueKind.Array)
                {
                    Add($"{path}.next", "Must be a list of step ids.");
                }
                else if (n.GetArrayLength() > MaxListItems)
                {
                    Add($"{path}.next", $"At most {MaxListItems} next steps.");
                }
                else
                {
                    var i = 0;
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var target in n.EnumerateArray())
                    {
                        var tp = $"{path}.next[{i++}]";
                        var targetId = target.ValueKind == JsonValueKind.String ? TryText(target) : null;
                        if (string.IsNullOrEmpty(targetId))
                        {
                            Add(tp, "Must be a step id.");
                        }
                        else if (!seen.Add(targetId))
                        {
                            Add(tp, "Listed twice.");
                        }
                        else
                        {
                            next.Add((targetId, tp));
                        }
                    }
                }
            }
            if (type == "decision" && next.Count < 2)
            {
                Add($"{path}.next", "A decision step needs at least 2 next steps.");
            }
            if (id is not null)
            {
                steps.Add(new StepRef(id, path, step, loop, next));
            }
        }

        private void StringList(JsonElement step, string field, string path)
        {
            if (!step.TryGetProperty(field, out var list))
            {
                return;
            }
            if (list.ValueKind != JsonValueKind.Array)
            {
                Add($"{path}.{field}", "Must be a list of strings.");
                return;
            }
            if (list.GetArrayLength() > MaxListItems)
            {
                Add($"{path}.{field}", $"At most {MaxListItems} items.");
                return;
            }
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                Text(item, $"{path}.{field}[{i++}]", MaxListItemLength, required: true);
            }
        }

        public void Graph(List<StepRef> steps)
        {
            var byId = new Dictionary<string, StepRef>(StringComparer.Ordinal);
            foreach (var s in steps)
            {
                byId.TryAdd(s.Id, s);
            }
            foreach (var s in steps)
            {
                foreach (var (target, path) in s.Next)
                {
                    if (!byId.ContainsKey(target))
                    {
                        Add(path, _ids.ContainsKey(target)
                            ? $"'{target}' is a section, not a step."
                            : $"No step has the id '{target}'.");
                    }
                }
            }
            // Bounded: a hostile graph can hold a huge number of cycles; a few, each shown briefly, are enough to fix it.
            foreach (var cycle in CyclesWithoutLoop(steps, byId).Take(MaxCyclesReported))
            {
                var shown = cycle.Take(MaxCycleIdsShown).Select(c => c.Id);
                var path = string.Join(" → ", shown) + (cycle.Count > MaxCycleIdsShown ? $" → … ({cycle.Count} steps)" : "");
                Add($"{cycle[0].Path}.next",
                    $"A cycle without a loop step: {path} → {cycle[0].Id}. Mark one of its steps \"loop\": true if it is meant to repeat.");
            }
        }

        // A cycle is allowed when one of its steps is marked loop; so look for cycles among the other steps only.
        // Iterative depth-first search (documents have up to 2,000 steps: no recursion).
        private static IEnumerable<List<StepRef>> CyclesWithoutLoop(List<StepRef> steps, Dictionary<string, StepRef> byId)
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the stack, 2 = done
            foreach (var root in steps.Where(s => !s.Loop))
            {
                if (state.ContainsKey(root.Id))
                {
                    continue;
                }
                var stack = new List<(StepRef Step, int Edge)> { (root, 0) };
                state[root.Id] = 1;
                while (stack.Count > 0)
                {
                    var (step, edge) = stack[^1];
                    if (edge >= step.Next.Count)
                    {
                        state[step.Id] = 2;
                        stack.RemoveAt(stack.Count - 1);
                        continue;
                    }
                    stack[^1] = (step, edge + 1);
                    if (!byId.TryGetValue(step.Next[edge].Id, out var next) || next.Loop)
                    {
                        continue;
                    }
                    if (!state.TryGetValue(next.Id, out var s))
                    {
                        state[next.Id] = 1;
                        stack.Add((next, 0));
                    }
                    else if (s == 1)
                    {
                        var start = stack.FindIndex(f => f.Step.Id == next.Id);
                        yield return stack.Skip(start).Select(f => f.Step).ToList();
                    }
                }
            }
        }
    }

    // PostgreSQL's numeric (behind jsonb numbers) overflows on huge exponents and very long literals.
    private static bool IsStorableNumber(string raw)
    {
        if (raw.Length > MaxNumberLength)
        {
            return false;
        }
        var e = raw.IndexOfAny(['e', 'E']);
        return e < 0 || (int.TryParse(raw.AsSpan(e + 1), System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= 1000);
    }

    // A field name in a path: bracket-quoted when it is not a plain identifier, so the path stays readable and unambiguous.
    private static string Child(string path, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"{path}.{name}"
            : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
}
