using System.Text.Json;
using System.Text.Json.Nodes;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Blueprints;

public sealed class BlueprintDiffTests
{
    private static BlueprintDifference Diff(string from, string to) =>
        BlueprintDiff.Compare(JsonDocument.Parse(from).RootElement, JsonDocument.Parse(to).RootElement);

    [Fact]
    public void Steps_are_matched_by_id_into_added_removed_and_changed_with_each_changed_field()
    {
        var to = BlueprintDocs.Edit(d =>
        {
            d.Step(0, 2)["title"] = "Create or update HubSpot contact";
            d.Step(0, 2)["system"] = "hubspot_v2";
            d["sections"]![0]!["steps"]!.AsArray().RemoveAt(3);
            d.Step(0, 1)["next"] = new JsonArray("st_3", "st_5");
            d["sections"]![0]!["steps"]!.AsArray().Add(new JsonObject { ["id"] = "st_5", ["type"] = "ai", ["title"] = "Score" });
        });

        var diff = Diff(BlueprintDocs.Example, to);

        Assert.Equal("st_5", Assert.Single(diff.Added).Id);
        Assert.Equal("st_4", Assert.Single(diff.Removed).Id);
        Assert.Equal(["st_2", "st_3"], diff.Changed.Select(c => c.Id).Order());
        var st3 = diff.Changed.Single(c => c.Id == "st_3");
        Assert.Equal(["system", "title"], st3.Changes.Keys);
        Assert.Equal("Create HubSpot contact", st3.Changes["title"].From!.Value.GetString());
        Assert.Equal("Create or update HubSpot contact", st3.Changes["title"].To!.Value.GetString());
        Assert.Equal(["next"], diff.Changed.Single(c => c.Id == "st_2").Changes.Keys);
    }

    [Fact]
    public void A_step_moved_to_another_section_shows_the_section_change()
    {
        var to = BlueprintDocs.Edit(d =>
        {
            var step = d.Step(0, 3).DeepClone();
            d["sections"]![0]!["steps"]!.AsArray().RemoveAt(3);
            d["sections"]!.AsArray().Add(new JsonObject { ["id"] = "sec_review", ["title"] = "Review", ["steps"] = new JsonArray(step) });
        });

        var change = Assert.Single(Diff(BlueprintDocs.Example, to).Changed);
        Assert.Equal("st_4", change.Id);
        Assert.Equal("sec_intake", change.Changes["section"].From!.Value.GetString());
        Assert.Equal("sec_review", change.Changes["section"].To!.Value.GetString());
    }

    [Fact]
    public void Writing_out_defaults_is_not_a_change_and_identical_documents_differ_in_nothing()
    {
        var explicitDefaults = BlueprintDocs.Edit(d =>
        {
            d.Step(0, 2)["inputs"] = new JsonArray();
            d.Step(0, 2)["loop"] = false;
            d.Step(0, 2)["description"] = null;
        });
        Assert.True(Diff(BlueprintDocs.Example, explicitDefaults).IsEmpty);
        Assert.True(Diff(BlueprintDocs.Example, BlueprintDocs.Example).IsEmpty);
    }
}
