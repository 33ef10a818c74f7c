using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>An automation created through Flow 8: its first version and project.</summary>
public sealed record CreatedAutomation(Guid AutomationId, Guid VersionId, Guid ProjectId);

/// <summary>Automations and blueprints through the API (Flows 8 and 10), and canonical blueprint documents to send.</summary>
public static class ArrangeAutomations
{
    public static async Task<CreatedAutomation> CreateAutomationAsync(this WrkApp app, string bearer, string name = "Lead sync",
        string? department = "Sales")
    {
        using var client = app.Client(bearer);
        var body = await (await client.PostJsonAsync("/v1/automations", new { name, description = "Sync leads", department }))
            .ExpectAsync(HttpStatusCode.Created);
        var data = body.GetProperty("data");
        return new CreatedAutomation(data.GetProperty("automation").GetProperty("id").GetGuid(),
            data.GetProperty("version").GetProperty("id").GetGuid(), data.GetProperty("project_id").GetGuid());
    }

    /// <summary>GET the blueprint; returns its ETag.</summary>
    public static async Task<string> BlueprintETagAsync(this WrkApp app, string bearer, Guid versionId)
    {
        using var client = app.Client(bearer);
        var res = await client.GetAsync($"/v1/automation-versions/{versionId}/blueprint");
        await res.ExpectAsync(HttpStatusCode.OK);
        return res.Headers.ETag!.ToString();
    }

    /// <summary>PUT a blueprint document (raw JSON) with <paramref name="ifMatch"/> (none when null).</summary>
    public static async Task<HttpResponseMessage> PutBlueprintAsync(this WrkApp app, string bearer, Guid versionId, string json,
        string? ifMatch)
    {
        using var client = app.Client(bearer);
        using var req = new HttpRequestMessage(HttpMethod.Put, $"/v1/automation-versions/{versionId}/blueprint")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            req.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(req);
    }

    /// <summary>GETs the current ETag and PUTs <paramref name="json"/>; asserts 200.</summary>
    public static async Task<JsonElement> SaveBlueprintAsync(this WrkApp app, string bearer, Guid versionId, string json)
    {
        var etag = await app.BlueprintETagAsync(bearer, versionId);
        return await (await app.PutBlueprintAsync(bearer, versionId, json, etag)).ExpectAsync(HttpStatusCode.OK);
    }

    public static Task<int> SetVersionStatusAsync(this WrkApp app, Guid versionId, string status) => app.ExecuteAsync(
        "UPDATE automation_versions SET status = @s WHERE id = @id; UPDATE projects SET status = @s WHERE automation_version_id = @id",
        ("s", status), ("id", versionId));
}

/// <summary>Canonical blueprint documents for tests.</summary>
public static class BlueprintDocs
{
    public const string Example = """
        {
          "schema_version": 1,
          "summary": "Sync new Salesforce leads into HubSpot and alert sales",
          "sections": [
            { "id": "sec_intake", "title": "Intake",
              "steps": [
                { "id": "st_1", "type": "trigger", "title": "New lead in Salesforce", "system": "salesforce",
                  "description": "A lead is created", "inputs": [], "outputs": ["lead"], "next": ["st_2"] },
                { "id": "st_2", "type": "decision", "title": "Lead score ≥ 50?", "next": ["st_3", "st_4"] },
                { "id": "st_3", "type": "action", "title": "Create HubSpot contact", "system": "hubspot" },
                { "id": "st_4", "type": "human", "title": "Sales reviews the lead" }
              ] }
          ],
          "metadata": {}
        }
        """;

    /// <summary>A valid blueprint with <paramref name="steps"/> chained action steps over sections of 100.</summary>
    public static string Chain(int steps)
    {
        var sections = new JsonArray();
        for (var s = 0; s * 100 < steps; s++)
        {
            var list = new JsonArray();
            for (var i = s * 100; i < Math.Min(steps, (s + 1) * 100); i++)
            {
                var step = new JsonObject
                {
                    ["id"] = $"st_{i}",
                    ["type"] = i == 0 ? "trigger" : "action",
                    ["title"] = $"Step {i}",
                    ["system"] = "hubspot",
                    ["next"] = i + 1 < steps ? new JsonArray($"st_{i + 1}") : new JsonArray(),
                };
                list.Add(step);
            }
            sections.Add(new JsonObject { ["id"] = $"sec_{s}", ["title"] = $"Section {s}", ["steps"] = list });
        }
        return new JsonObject
        {
            ["schema_version"] = 1, ["summary"] = "Generated", ["sections"] = sections, ["metadata"] = new JsonObject(),
        }.ToJsonString();
    }

    /// <summary>The example with <paramref name="edit"/> applied to its parsed form.</summary>
    public static string Edit(Action<JsonObject> edit, string json = Example)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    public static JsonObject Step(this JsonObject doc, int section, int step) =>
        doc["sections"]![section]!["steps"]![step]!.AsObject();
}
