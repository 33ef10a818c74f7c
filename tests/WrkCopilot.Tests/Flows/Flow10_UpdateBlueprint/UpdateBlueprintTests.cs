using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WrkCopilot.Tests.Flows.Flow10_UpdateBlueprint;

public sealed class UpdateBlueprintTests(WrkApp app, ITestOutputHelper output) : IClassFixture<WrkApp>
{
    private static string Url(Guid id) => $"/v1/automation-versions/{id}/blueprint";

    [Fact]
    public async Task A_member_reads_the_blueprint_with_its_ETag_and_replaces_it_with_If_Match()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        using var client = app.Client(member.AccessToken);

        var get = await client.GetAsync(Url(a.VersionId));
        var read = (await get.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        var etag = get.Headers.ETag!.ToString();
        Assert.Equal($"\"{read.GetProperty("row_version").GetInt64()}\"", etag);
        Assert.True(read.GetProperty("editable").GetBoolean());
        Assert.Equal(0, read.GetProperty("step_count").GetInt32());

        var put = await app.PutBlueprintAsync(member.AccessToken, a.VersionId, BlueprintDocs.Example, etag);
        var saved = (await put.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal(4, saved.GetProperty("step_count").GetInt32());
        Assert.NotEqual(etag, put.Headers.ETag!.ToString());
        Assert.Equal("New lead in Salesforce", saved.GetProperty("blueprint").GetProperty("sections")[0].GetProperty("steps")[0].GetProperty("title").GetString());
        var again = (await (await client.GetAsync(Url(a.VersionId))).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Sync new Salesforce leads into HubSpot and alert sales", again.GetProperty("blueprint").GetProperty("summary").GetString());
    }

    [Fact]
    public async Task The_write_is_audited_by_the_size_of_the_change_never_its_content()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);

        await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example);

        var meta = await app.ScalarAsync<string>(
            "SELECT metadata_json::text FROM audit_logs WHERE action_type = 'blueprint_updated' AND resource_id = @v AND user_id = @u AND tenant_id = @t",
            ("v", a.VersionId), ("u", admin.UserId), ("t", admin.TenantId));
        using var doc = JsonDocument.Parse(meta!);
        Assert.Equal(4, doc.RootElement.GetProperty("steps_added").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("steps_before").GetInt32());
        Assert.Equal("api", doc.RootElement.GetProperty("source").GetString());
        Assert.DoesNotContain("Salesforce", meta);
    }

    [Fact]
    public async Task A_put_without_If_Match_is_428_and_a_stale_one_is_412_and_neither_changes_anything()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);

        var missing = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, null)).ExpectAsync((HttpStatusCode)428);
        Assert.Equal("precondition_required", missing.GetProperty("code").GetString());
        await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, "*")).ExpectAsync((HttpStatusCode)428);

        await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Chain(3));
        var stale = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, etag)).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("precondition_failed", stale.GetProperty("code").GetString());
        await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, "W/" + etag)).ExpectAsync(HttpStatusCode.PreconditionFailed);

        Assert.Equal(3, await app.CountAsync(
            "SELECT jsonb_array_length(blueprint_json->'sections'->0->'steps') FROM automation_versions WHERE id = @v", ("v", a.VersionId)));
    }

    [Fact]
    public async Task Of_two_writers_holding_the_same_ETag_exactly_one_wins()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);

        var results = await Task.WhenAll(
            app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Chain(2), etag),
            app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Chain(5), etag));

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(results, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task An_invalid_blueprint_is_400_listing_each_JSON_path_and_nothing_is_stored()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        var bad = BlueprintDocs.Edit(d =>
        {
            d["owner"] = "x";
            d.Step(0, 1)["next"] = new System.Text.Json.Nodes.JsonArray("st_3");
            d.Step(0, 2)["next"] = new System.Text.Json.Nodes.JsonArray("st_404");
        });

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, bad, etag)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal("validation_failed", body.GetProperty("code").GetString());
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("$.owner", out _));
        Assert.True(errors.TryGetProperty("$.sections[0].steps[1].next", out _));
        Assert.True(errors.TryGetProperty("$.sections[0].steps[2].next[0]", out _));
        Assert.Equal(etag, await app.BlueprintETagAsync(admin.AccessToken, a.VersionId));
    }

    [Theory]
    [InlineData("[1,2]", "$")]
    [InlineData("{\"schema_version\":1,", "$")]
    [InlineData("", "$.schema_version")]
    public async Task A_body_that_is_not_a_blueprint_object_is_400(string json, string path)
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, json, etag)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").EnumerateObject().Any(e => e.Name.StartsWith(path, StringComparison.Ordinal)), body.ToString());
    }

    [Theory]
    [InlineData("awaiting_client_approval")]
    [InlineData("live")]
    [InlineData("archived")]
    public async Task Only_intake_and_needs_pricing_versions_accept_a_blueprint(string status)
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        await app.SetVersionStatusAsync(a.VersionId, status);

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, etag)).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("version_not_editable", body.GetProperty("code").GetString());
        var read = (await (await app.Client(admin.AccessToken).GetAsync(Url(a.VersionId))).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.False(read.GetProperty("editable").GetBoolean());
        Assert.Equal(0, read.GetProperty("step_count").GetInt32());
    }

    [Fact]
    public async Task Needs_pricing_still_accepts_edits()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        await app.SetVersionStatusAsync(a.VersionId, "needs_pricing");
        await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example);
    }

    [Fact]
    public async Task A_viewer_reads_but_may_not_write()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(viewer.AccessToken, a.VersionId);

        var body = await (await app.PutBlueprintAsync(viewer.AccessToken, a.VersionId, BlueprintDocs.Example, etag)).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Another_tenants_blueprint_is_404_to_read_and_to_write()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(owner.AccessToken);
        await app.SaveBlueprintAsync(owner.AccessToken, a.VersionId, BlueprintDocs.Example);

        var read = await (await app.Client(other.AccessToken).GetAsync(Url(a.VersionId))).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain("Salesforce", read.ToString());
        await (await app.PutBlueprintAsync(other.AccessToken, a.VersionId, BlueprintDocs.Chain(1), "\"2\"")).ExpectAsync(HttpStatusCode.NotFound);
        var key = await app.ApiKeyAsync(other.TenantId, other.UserId);
        await (await app.Client(key).GetAsync(Url(a.VersionId))).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ops_staff_edit_a_clients_blueprint_and_the_audit_row_is_in_the_clients_tenant()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var a = await app.CreateAutomationAsync(admin.AccessToken);

        await app.SaveBlueprintAsync(ops.AccessToken, a.VersionId, BlueprintDocs.Example);

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'blueprint_updated' AND tenant_id = @t AND user_id = @u AND (metadata_json->>'actor_is_staff')::boolean",
            ("t", admin.TenantId), ("u", ops.UserId)));
    }

    [Fact]
    public async Task An_api_key_writes_with_automations_write_only()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var reader = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["automations:read"]);
        var writer = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["automations:write"]);
        var etag = await app.BlueprintETagAsync(reader, a.VersionId);

        await (await app.PutBlueprintAsync(reader, a.VersionId, BlueprintDocs.Example, etag)).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.PutBlueprintAsync(writer, a.VersionId, BlueprintDocs.Example, etag)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_2000_step_blueprint_is_stored_and_a_2001_step_one_is_refused()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        var largest = BlueprintDocs.Chain(2000);

        var watch = Stopwatch.StartNew();
        var put = await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, largest, etag);
        watch.Stop();
        var saved = await put.ExpectAsync(HttpStatusCode.OK);
        output.WriteLine($"PUT of 2,000 steps ({largest.Length:N0} bytes): {watch.ElapsedMilliseconds} ms");
        Assert.Equal(2000, saved.GetProperty("data").GetProperty("step_count").GetInt32());

        var refused = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Chain(2001), put.Headers.ETag!.ToString()))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 2,000", refused.GetProperty("errors").GetProperty("$.sections")[0].GetString());
    }

    [Fact]
    public async Task A_document_between_1_and_2_MB_is_read_and_refused_at_its_root()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        var big = BlueprintDocs.Edit(d => d["metadata"] = new System.Text.Json.Nodes.JsonObject { ["blob"] = new string('a', 1_500_000) });

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, big, etag)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("at most 1,048,576", body.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    [Theory]
    [InlineData("""{"schema_version":1,"summary":"x\ud800","sections":[],"metadata":{}}""", "$.summary")]
    [InlineData("""{"schema_version":1,"summary":"","sections":[],"metadata":{"n":1e1000000}}""", "$.metadata.n")]
    [InlineData("""{"schema_version":1,"summary":"","sections":[],"metadata":{"n":1e-1000000}}""", "$.metadata.n")]
    [InlineData("""{"schema_version":1,"summary":"","sections":[],"metadata":{"\udc00":1}}""", "$.metadata[?]")]
    public async Task Text_and_numbers_the_database_cannot_store_are_400_not_500(string json, string path)
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, json, etag)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }

    [Fact]
    public async Task A_graph_full_of_cycles_is_refused_with_a_bounded_answer()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        // A 2,000-step chain whose second half also points back at the first 70 steps: a huge number of cycles.
        var hostile = BlueprintDocs.Edit(d =>
        {
            var steps = d["sections"]!.AsArray().SelectMany(s => s!["steps"]!.AsArray()).ToList();
            for (var i = 1000; i < 2000; i++)
            {
                var next = steps[i]!["next"]!.AsArray();
                for (var j = 0; j < 70; j++)
                {
                    next.Add($"st_{j}");
                }
            }
        }, BlueprintDocs.Chain(2000));

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, hostile, etag)).ExpectAsync(HttpStatusCode.BadRequest);

        var messages = body.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray()).ToList();
        Assert.InRange(messages.Count, 1, 100);
        Assert.All(messages, m => Assert.True(m.GetString()!.Length < 600));
    }

    [Fact]
    public async Task A_body_over_2_MB_is_413_before_it_is_read()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        var huge = BlueprintDocs.Edit(d => d["metadata"] = new System.Text.Json.Nodes.JsonObject { ["blob"] = new string('a', 2_200_000) });

        var body = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, huge, etag)).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("payload_too_large", body.GetProperty("code").GetString());
    }
}
