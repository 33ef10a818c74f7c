using System.Text;
using System.Text.Json;
using WrkCopilot.Features.Flows.Flow09_CaptureRequirements;
using WrkCopilot.Features.Integrations.Requirements;
using WrkCopilot.Features.Kernel.Blueprints;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

public sealed class OfflineExtractorTests
{
    private static JsonElement Extract(string text)
    {
        using var doc = OfflineRequirementsExtractor.Extract(text);
        var root = doc.RootElement.Clone();
        var problems = BlueprintSchema.Validate(root, Encoding.UTF8.GetByteCount(root.GetRawText()));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Select(p => $"{p.Path}: {p.Message}")));
        return root;
    }

    private static List<JsonElement> Steps(JsonElement doc) => IngestionOfflineTests.Steps(doc).ToList();

    private static string[] Titles(JsonElement doc) => Steps(doc).Select(s => s.GetProperty("title").GetString()!).ToArray();

    [Fact]
    public void Atx_and_underlined_headings_become_sections_with_stable_ids()
    {
        var doc = Extract("Intake\n======\n- Receive the form\n\nReview\n------\n- Check it\n\n### Close\n* Archive it\n");

        var sections = doc.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal(["Intake", "Review", "Close"], sections.Select(s => s.GetProperty("title").GetString()!).ToArray());
        Assert.Equal(["sec_1", "sec_2", "sec_3"], sections.Select(s => s.GetProperty("id").GetString()!).ToArray());
        Assert.Equal(["st_1", "st_2", "st_3"], Steps(doc).Select(s => s.GetProperty("id").GetString()!).ToArray());
        Assert.Equal("Intake", doc.GetProperty("summary").GetString());
    }

    [Fact]
    public void List_items_and_plain_lines_become_steps_chained_in_order_the_first_a_trigger()
    {
        var doc = Extract("# Flow\n- First\n* Second\n1. Third\n2) Fourth\nA plain line\n\n---\n");

        Assert.Equal(["First", "Second", "Third", "Fourth", "A plain line"], Titles(doc));
        var steps = Steps(doc);
        Assert.Equal("trigger", steps[0].GetProperty("type").GetString());
        Assert.All(steps.Skip(1), s => Assert.Equal("action", s.GetProperty("type").GetString()));
        for (var i = 0; i < steps.Count - 1; i++)
        {
            Assert.Equal([steps[i + 1].GetProperty("id").GetString()!], steps[i].GetProperty("next").EnumerateArray().Select(n => n.GetString()!).ToArray());
        }
        Assert.Equal(0, steps[^1].GetProperty("next").GetArrayLength());
    }

    [Fact]
    public void Lines_without_a_heading_go_to_a_default_section()
    {
        var doc = Extract("Receive an email in Outlook\nSave the attachment to Dropbox");

        Assert.Equal(OfflineRequirementsExtractor.DefaultSectionTitle, doc.GetProperty("sections")[0].GetProperty("title").GetString());
        Assert.Equal("", doc.GetProperty("summary").GetString());
    }

    [Fact]
    public void A_question_or_if_line_is_a_decision_with_two_branches_or_an_action_when_fewer_steps_follow()
    {
        var doc = Extract("- Start\n- Check whether the amount is over 1000\n- Approve manually\n- Pay it\n- Is it paid?\n- Done");
        var steps = Steps(doc);

        Assert.Equal("decision", steps[1].GetProperty("type").GetString());
        Assert.Equal(["st_3", "st_4"], steps[1].GetProperty("next").EnumerateArray().Select(n => n.GetString()!).ToArray());
        Assert.Equal("human", steps[2].GetProperty("type").GetString());
        Assert.Equal("action", steps[4].GetProperty("type").GetString()); // only one step follows it
        Assert.Equal("action", Steps(Extract("- Start\n- If done, stop"))[1].GetProperty("type").GetString());
    }

    [Fact]
    public void Wait_lines_are_wait_steps()
    {
        Assert.Equal("wait", Steps(Extract("- Start\n- Wait 2 days for the reply\n- Continue"))[1].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("Create the deal in HubSpot", "hubspot")]
    [InlineData("update the google  sheets tracker", "google_sheets")]
    [InlineData("Post to SLACK channel #ops", "slack")]
    [InlineData("File a JIRA ticket then email via Gmail", "jira")]
    [InlineData("Notify the channel in Microsoft Teams", "microsoft_teams")]
    [InlineData("Sync the order to NetSuite and SAP", "netsuite")]
    [InlineData("Send an SMS with Twilio", "twilio")]
    [InlineData("Tell the sales teams", null)]
    [InlineData("A hubspotter is not a product", null)]
    [InlineData("Use the sapling", null)]
    public void The_system_is_guessed_from_known_product_names(string line, string? system)
    {
        Assert.Equal(system, OfflineRequirementsExtractor.GuessSystem(line));
        var step = Steps(Extract("- " + line))[0];
        Assert.Equal(system, step.TryGetProperty("system", out var s) ? s.GetString() : null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t\n")]
    [InlineData("# Only a heading")]
    [InlineData("#\n##\n- \n* \n1. ")]
    [InlineData("if?\nwhether?\nif?")]
    [InlineData("a\u0000b\u0001c\r\nd\re")]
    [InlineData("{\"json\": [1, 2, {\"if\": true}]}")]
    [InlineData("name,system\nsync,Salesforce\n\"quoted, cell\",Slack")]
    public void Any_text_gives_a_valid_blueprint(string text)
    {
        var doc = Extract(text);

        Assert.Equal(1, doc.GetProperty("schema_version").GetInt32());
        Assert.DoesNotContain('\u0000', doc.GetRawText());
    }

    [Fact]
    public void A_very_long_line_is_a_shortened_title_with_the_full_text_as_description()
    {
        var line = "Sync " + new string('x', 700);
        var step = Steps(Extract(line))[0];

        Assert.Equal(BlueprintSchema.MaxTitleLength, step.GetProperty("title").GetString()!.Length);
        Assert.Equal(line, step.GetProperty("description").GetString());
    }

    [Fact]
    public void A_huge_document_stops_within_the_step_and_size_limits_and_stays_valid()
    {
        var many = string.Join('\n', Enumerable.Range(1, 3000).Select(i => i % 7 == 0 ? $"- Is item {i} ready?" : $"- Item {i} in Salesforce"));
        Assert.Equal(BlueprintSchema.MaxSteps, Steps(Extract(many)).Count);

        var wide = string.Join('\n', Enumerable.Range(1, 1500).Select(i => $"- Item {i} " + new string('y', 900)));
        var doc = Extract(wide);
        Assert.True(Encoding.UTF8.GetByteCount(doc.GetRawText()) < BlueprintSchema.MaxDocumentBytes);
        Assert.InRange(Steps(doc).Count, 100, 1499);
    }
}

public sealed class BlueprintMergeTests
{
    [Fact]
    public void An_empty_blueprint_is_replaced_and_keeps_its_summary_when_the_extraction_has_none()
    {
        using var current = JsonDocument.Parse("""{"schema_version":1,"summary":"Mine","sections":[],"metadata":{"k":1}}""");
        using var extracted = OfflineRequirementsExtractor.Extract("- Step one");

        var merged = JsonDocument.Parse(BlueprintMerge.Combine(current.RootElement, extracted.RootElement)).RootElement;

        Assert.Equal("Mine", merged.GetProperty("summary").GetString());
        Assert.Equal("Step one", merged.GetProperty("sections")[0].GetProperty("steps")[0].GetProperty("title").GetString());
    }

    [Fact]
    public void Colliding_ids_are_renamed_with_their_next_links_and_the_existing_blueprint_is_unchanged()
    {
        using var current = OfflineRequirementsExtractor.Extract("# Old\n- A\n- B\n- C");
        using var extracted = OfflineRequirementsExtractor.Extract("# New\n- D\n- Is it E?\n- F\n- G");

        var json = BlueprintMerge.Combine(current.RootElement, extracted.RootElement);
        var merged = JsonDocument.Parse(json).RootElement;

        Assert.Empty(BlueprintSchema.Validate(merged, Encoding.UTF8.GetByteCount(json)));
        Assert.Equal(current.RootElement.GetProperty("sections")[0].GetRawText(), merged.GetProperty("sections")[0].GetRawText());
        var added = merged.GetProperty("sections")[1];
        Assert.Equal("sec_1_2", added.GetProperty("id").GetString());
        var steps = added.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["st_1_2", "st_2_2", "st_3_2", "st_4"], steps.Select(s => s.GetProperty("id").GetString()!).ToArray());
        Assert.Equal(["st_3_2", "st_4"], steps[1].GetProperty("next").EnumerateArray().Select(n => n.GetString()!).ToArray());
        Assert.Equal("Old", merged.GetProperty("summary").GetString());
    }
}
