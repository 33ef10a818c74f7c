using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Blueprints;

namespace WrkCopilot.Features.Integrations.Requirements;

/// <summary>
/// The deterministic extractor used when no LLM is configured or the tenant has <c>ai_processing</c> off: markdown
/// headings (<c>#</c>… or underlined) become sections; list items and other non-empty lines under them become steps,
/// chained by <c>next</c> in document order. The first step is the <c>trigger</c>; a line with "if"/"whether" or ending
/// in "?" is a <c>decision</c> whose two branches are the next two steps (an <c>action</c> when fewer follow); "wait"
/// lines are <c>wait</c>, approvals and reviews <c>human</c>. <c>system</c> is guessed from known product names.
/// Ids are stable (<c>sec_1</c>, <c>st_1</c>…) and the output is always a valid blueprint: it stops adding steps
/// before the schema's step or size limits.
/// </summary>
internal sealed partial class OfflineRequirementsExtractor : IRequirementsExtractor
{
    public const string ExtractorName = "offline";
    public const string DefaultSectionTitle = "Requirements";
    /// <summary>Headroom under the 1 MB document limit for the merge with an existing blueprint's ids.</summary>
    private const int MaxOutputBytes = 900_000;

    public string Name => ExtractorName;

    public Task<ExtractionResult> ExtractAsync(string text, CancellationToken ct) =>
        Task.FromResult(ExtractionResult.Success(Extract(text)));

    // Product names → system ids. Longer names first so "Google Sheets" wins over a shorter match. Names that are also
    // common English words (Teams, Notion) match only capitalised, or "Sales teams" would become Microsoft Teams.
    private static readonly (Regex Pattern, string System)[] Systems =
    [
        .. new (string Name, string Id)[]
        {
            ("google sheets", "google_sheets"), ("google drive", "google_drive"), ("google calendar", "google_calendar"),
            ("microsoft teams", "microsoft_teams"), ("ms teams", "microsoft_teams"), ("microsoft dynamics", "microsoft_dynamics"),
            ("dynamics 365", "microsoft_dynamics"), ("monday.com", "monday"), ("servicenow", "servicenow"),
            ("salesforce", "salesforce"), ("hubspot", "hubspot"), ("slack", "slack"), ("gmail", "gmail"), ("excel", "excel"),
            ("jira", "jira"), ("zendesk", "zendesk"), ("shopify", "shopify"), ("stripe", "stripe"), ("quickbooks", "quickbooks"),
            ("netsuite", "netsuite"), ("sap", "sap"), ("workday", "workday"), ("airtable", "airtable"), ("asana", "asana"),
            ("trello", "trello"), ("outlook", "outlook"), ("dropbox", "dropbox"), ("docusign", "docusign"), ("zapier", "zapier"),
            ("mailchimp", "mailchimp"), ("intercom", "intercom"), ("twilio", "twilio"), ("xero", "xero"), ("sharepoint", "sharepoint"),
            ("github", "github"), ("gitlab", "gitlab"), ("freshdesk", "freshdesk"), ("marketo", "marketo"), ("pipedrive", "pipedrive"),
            ("zoom", "zoom"), ("typeform", "typeform"), ("calendly", "calendly"), ("greenhouse", "greenhouse"), ("bamboohr", "bamboohr"),
            ("confluence", "confluence"), ("snowflake", "snowflake"), ("postgresql", "postgresql"), ("sendgrid", "sendgrid"),
        }.Select(p => (new Regex($@"(?<![\w.]){Regex.Escape(p.Name).Replace(@"\ ", @"\s+", StringComparison.Ordinal)}(?![\w])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), p.Id)),
        (new Regex(@"(?<![\w.])Teams(?![\w])", RegexOptions.CultureInvariant), "microsoft_teams"),
        (new Regex(@"(?<![\w.])Notion(?![\w])", RegexOptions.CultureInvariant), "notion"),
    ];

    [GeneratedRegex(@"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", RegexOptions.NonBacktracking)]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^\s{0,3}(=+|-{2,})\s*$", RegexOptions.NonBacktracking)]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"^\s{0,3}([-*_=]\s*){3,}$", RegexOptions.NonBacktracking)]
    private static partial Regex Rule();

    [GeneratedRegex(@"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.+)$", RegexOptions.NonBacktracking)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\b(if|whether)\b|\?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DecisionWords();

    [GeneratedRegex(@"\b(wait|waits|waiting|delay|pause for)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex WaitWords();

    [GeneratedRegex(@"\b(approve|approves|approval|review|reviews|manually|sign off|signs off)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex HumanWords();

    private const int MaxLineLength = 2000;

    private sealed record Section(string Title, List<string> Items);

    public static JsonDocument Extract(string text)
    {
        // Matching is linear (NonBacktracking), and a line longer than any step title is cut first anyway.
        var lines = Clean(text).Split('\n').Select(l => TextLimits.Shorten(l, MaxLineLength)).ToArray();
        var sections = new List<Section>();
        string? summary = null;
        Section? current = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (AtxHeading().Match(lines[i]) is { Success: true } atx)
            {
                var title = atx.Groups[2].Value.Trim();
                if (title.Length > 0)
                {
                    current = new Section(title, []);
                    sections.Add(current);
                    if (summary is null && atx.Groups[1].Length == 1)
                    {
                        summary = title;
                    }
                }
                continue;
            }
            if (i + 1 < lines.Length && SetextUnderline().IsMatch(lines[i + 1]) && !ListItem().IsMatch(lines[i]))
            {
                current = new Section(line, []);
                sections.Add(current);
                if (summary is null && lines[i + 1].TrimStart().StartsWith('='))
                {
                    summary = line;
                }
                i++;
                continue;
            }
            if (Rule().IsMatch(lines[i]))
            {
                continue;
            }
            var item = ListItem().Match(lines[i]) is { Success: true } li ? li.Groups[1].Value.Trim() : line;
            if (item.Length == 0)
            {
                continue;
            }
            if (current is null)
            {
                current = new Section(DefaultSectionTitle, []);
                sections.Add(current);
            }
            current.Items.Add(item);
        }
        return Build(summary ?? "", sections.Where(s => s.Items.Count > 0).ToList());
    }

    private static JsonDocument Build(string summary, List<Section> sections)
    {
        var items = sections.SelectMany((s, si) => s.Items.Select(item => (Section: si, Item: item))).ToList();
        var steps = new List<(int Section, JsonObject Step)>();
        var bytes = 200 + Encoding.UTF8.GetByteCount(summary) * 2;
        for (var g = 0; g < items.Count && g < BlueprintSchema.MaxSteps; g++)
        {
            var step = Step(items[g].Item, g, items.Count);
            var size = Encoding.UTF8.GetByteCount(step.ToJsonString(Output)) + 300; // + its section's share
            if (bytes + size > MaxOutputBytes)
            {
                break;
            }
            bytes += size;
            steps.Add((items[g].Section, step));
        }
        // Steps cut by the limits may be named by an earlier step's next: drop those links; a decision left with one
        // branch becomes an action.
        var kept = steps.Select(s => (string)s.Step["id"]!).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, step) in steps)
        {
            var next = (JsonArray)step["next"]!;
            foreach (var n in next.Where(n => !kept.Contains((string)n!)).ToList())
            {
                next.Remove(n);
            }
            if ((string)step["type"]! == "decision" && next.Count < 2)
            {
                step["type"] = "action";
            }
        }
        var sectionArray = new JsonArray();
        var sectionNumber = 0;
        foreach (var group in steps.GroupBy(s => s.Section))
        {
            sectionArray.Add(new JsonObject
            {
                ["id"] = $"sec_{++sectionNumber}",
                ["title"] = TextLimits.Shorten(sections[group.Key].Title, BlueprintSchema.MaxTitleLength),
                ["steps"] = new JsonArray([.. group.Select(s => (JsonNode)s.Step)]),
            });
        }
        var doc = new JsonObject
        {
            ["schema_version"] = BlueprintSchema.SchemaVersion,
            ["summary"] = TextLimits.Shorten(summary, BlueprintSchema.MaxSummaryLength),
            ["sections"] = sectionArray,
            ["metadata"] = new JsonObject { ["extracted_by"] = ExtractorName },
        };
        return JsonDocument.Parse(doc.ToJsonString(Output));
    }

    private static JsonObject Step(string item, int index, int total)
    {
        string type;
        if (index == 0)
        {
            type = "trigger";
        }
        else if (DecisionWords().IsMatch(item))
        {
            type = index + 2 < total ? "decision" : "action";
        }
        else if (WaitWords().IsMatch(item))
        {
            type = "wait";
        }
        else if (HumanWords().IsMatch(item))
        {
            type = "human";
        }
        else
        {
            type = "action";
        }
        var next = new JsonArray();
        if (index + 1 < total)
        {
            next.Add($"st_{index + 2}");
        }
        if (type == "decision")
        {
            next.Add($"st_{index + 3}");
        }
        var step = new JsonObject
        {
            ["id"] = $"st_{index + 1}",
            ["type"] = type,
            ["title"] = TextLimits.Shorten(item, BlueprintSchema.MaxTitleLength),
        };
        if (GuessSystem(item) is { } system)
        {
            step["system"] = system;
        }
        if (item.Length > BlueprintSchema.MaxTitleLength)
        {
            step["description"] = TextLimits.Shorten(item, BlueprintSchema.MaxDescriptionLength);
        }
        step["next"] = next;
        return step;
    }

    /// <summary>The first known product named in <paramref name="text"/> (by position), as a system id; null when none.</summary>
    public static string? GuessSystem(string text)
    {
        string? best = null;
        var at = int.MaxValue;
        foreach (var (pattern, system) in Systems)
        {
            if (pattern.Match(text) is { Success: true } m && m.Index < at)
            {
                at = m.Index;
                best = system;
            }
        }
        return best;
    }

    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Control characters (NUL included, which jsonb cannot hold) are dropped; line ends are normalised.
    private static string Clean(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            if (c == '\n' || c == '\t' || !char.IsControl(c))
            {
                sb.Append(c == '\t' ? ' ' : c);
            }
        }
        return sb.ToString();
    }
}
