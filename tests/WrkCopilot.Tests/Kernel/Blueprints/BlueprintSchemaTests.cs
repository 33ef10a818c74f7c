using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Blueprints;

/// <summary>One test per rule of the canonical blueprint (flows.md), each asserting the JSON path it names.</summary>
public sealed class BlueprintSchemaTests
{
    private static IReadOnlyList<BlueprintProblem> Check(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return BlueprintSchema.Validate(doc.RootElement, Encoding.UTF8.GetByteCount(json));
    }

    private static void Refused(string json, string path, string messagePart)
    {
        var problems = Check(json);
        Assert.Contains(problems, p => p.Path == path && p.Message.Contains(messagePart, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_spec_example_and_the_empty_blueprint_are_valid()
    {
        Assert.Empty(Check(BlueprintDocs.Example));
        Assert.Empty(Check(BlueprintSchema.Empty().RootElement.GetRawText()));
    }

    [Fact]
    public void A_document_must_be_an_object() => Refused("[]", "$", "object");

    [Fact]
    public void Unknown_top_level_fields_are_refused() =>
        Refused(BlueprintDocs.Edit(d => d["owner"] = "x"), "$.owner", "Unknown field");

    [Fact]
    public void Unknown_section_and_step_fields_are_refused_but_metadata_objects_are_free()
    {
        Refused(BlueprintDocs.Edit(d => d["sections"]![0]!["color"] = "red"), "$.sections[0].color", "Unknown field");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 1)["x-pos"] = 3), "$.sections[0].steps[1]['x-pos']", "Unknown field");
        Assert.Empty(Check(BlueprintDocs.Edit(d => d.Step(0, 1)["metadata"] = new JsonObject { ["x"] = 3 })));
    }

    [Fact]
    public void Schema_version_must_be_1()
    {
        Refused(BlueprintDocs.Edit(d => d.Remove("schema_version")), "$.schema_version", "Required");
        Refused(BlueprintDocs.Edit(d => d["schema_version"] = 2), "$.schema_version", "Must be 1");
        Refused(BlueprintDocs.Edit(d => d["schema_version"] = "1"), "$.schema_version", "Must be 1");
    }

    [Fact]
    public void Sections_are_a_required_list_of_objects_with_id_title_and_steps()
    {
        Refused(BlueprintDocs.Edit(d => d.Remove("sections")), "$.sections", "Required");
        Refused(BlueprintDocs.Edit(d => d["sections"] = new JsonObject()), "$.sections", "list");
        Refused(BlueprintDocs.Edit(d => d["sections"]![0]!.AsObject().Remove("title")), "$.sections[0].title", "Required");
        Refused(BlueprintDocs.Edit(d => d["sections"]![0]!.AsObject().Remove("id")), "$.sections[0].id", "Required");
        Refused(BlueprintDocs.Edit(d => d["sections"]![0]!.AsObject().Remove("steps")), "$.sections[0].steps", "Required");
        Refused(BlueprintDocs.Edit(d => d["sections"]!.AsArray().Add(3)), "$.sections[1]", "object");
    }

    [Fact]
    public void A_step_type_is_one_of_the_six() =>
        Refused(BlueprintDocs.Edit(d => d.Step(0, 2)["type"] = "email"), "$.sections[0].steps[2].type", "trigger, action, decision, human, ai, wait");

    [Fact]
    public void A_step_needs_an_id_and_a_non_blank_title()
    {
        Refused(BlueprintDocs.Edit(d => d.Step(0, 2).Remove("id")), "$.sections[0].steps[2].id", "Required");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 2)["title"] = "  "), "$.sections[0].steps[2].title", "empty");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 2)["title"] = new string('x', 501)), "$.sections[0].steps[2].title", "At most");
    }

    [Fact]
    public void Ids_are_unique_across_the_document_sections_included()
    {
        Refused(BlueprintDocs.Edit(d => d.Step(0, 3)["id"] = "st_3"), "$.sections[0].steps[3].id", "already used at $.sections[0].steps[2].id");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 3)["id"] = "sec_intake"), "$.sections[0].steps[3].id", "already used at $.sections[0].id");
    }

    [Fact]
    public void Every_next_names_an_existing_step()
    {
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["next"] = new JsonArray("st_9")), "$.sections[0].steps[0].next[0]", "No step has the id 'st_9'");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["next"] = new JsonArray("sec_intake")), "$.sections[0].steps[0].next[0]", "is a section");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["next"] = new JsonArray("st_2", "st_2")), "$.sections[0].steps[0].next[1]", "twice");
    }

    [Fact]
    public void A_decision_has_at_least_two_next_steps() =>
        Refused(BlueprintDocs.Edit(d => d.Step(0, 1)["next"] = new JsonArray("st_3")), "$.sections[0].steps[1].next", "at least 2");

    [Fact]
    public void A_cycle_is_refused_unless_one_of_its_steps_is_marked_loop()
    {
        var cyclic = BlueprintDocs.Edit(d => d.Step(0, 2)["next"] = new JsonArray("st_1"));
        Refused(cyclic, "$.sections[0].steps[0].next", "st_1 → st_2 → st_3 → st_1");
        Assert.Empty(Check(BlueprintDocs.Edit(d => d.Step(0, 1)["loop"] = true, cyclic)));
        Refused(BlueprintDocs.Edit(d => d.Step(0, 3)["next"] = new JsonArray("st_4")), "$.sections[0].steps[3].next", "cycle");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 3)["loop"] = "yes"), "$.sections[0].steps[3].loop", "true or false");
    }

    [Fact]
    public void At_most_2000_steps()
    {
        Assert.Empty(Check(BlueprintDocs.Chain(2000)));
        Refused(BlueprintDocs.Chain(2001), "$.sections", "2,001 steps; at most 2,000");
    }

    [Fact]
    public void At_most_1_MB()
    {
        var big = BlueprintDocs.Edit(d => d["metadata"] = new JsonObject { ["blob"] = new string('a', 1024 * 1024) });
        Refused(big, "$", "at most 1,048,576");
    }

    [Fact]
    public void Text_that_PostgreSQL_cannot_store_and_repeated_keys_are_refused_by_path()
    {
        Refused(BlueprintDocs.Edit(d => d["metadata"] = new JsonObject { ["note"] = "a\u0000b" }), "$.metadata.note", "NUL");
        Refused("""{"schema_version":1,"summary":"a","summary":"b","sections":[],"metadata":{}}""", "$.summary", "Duplicate");
    }

    [Fact]
    public void Optional_fields_have_types()
    {
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["inputs"] = "lead"), "$.sections[0].steps[0].inputs", "list of strings");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["outputs"] = new JsonArray(1)), "$.sections[0].steps[0].outputs[0]", "string");
        Refused(BlueprintDocs.Edit(d => d.Step(0, 0)["system"] = 5), "$.sections[0].steps[0].system", "string");
        Refused(BlueprintDocs.Edit(d => d["metadata"] = new JsonArray()), "$.metadata", "object");
        Refused(BlueprintDocs.Edit(d => d["summary"] = 1), "$.summary", "string");
    }

    [Fact]
    public void Every_problem_is_listed_not_only_the_first()
    {
        var json = BlueprintDocs.Edit(d =>
        {
            d["extra"] = 1;
            d.Step(0, 2)["type"] = "nope";
            d.Step(0, 3)["next"] = new JsonArray("ghost");
        });
        var paths = Check(json).Select(p => p.Path).ToList();
        Assert.Contains("$.extra", paths);
        Assert.Contains("$.sections[0].steps[2].type", paths);
        Assert.Contains("$.sections[0].steps[3].next[0]", paths);
    }
}
