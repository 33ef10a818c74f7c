using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow12_NewVersion;

public sealed class NewVersionTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string VersionsUrl(Guid automationId) => $"/v1/automations/{automationId}/versions";

    /// <summary>An automation whose v1.0 has a blueprint and is live, ready for a revision.</summary>
    private async Task<(Caller Admin, CreatedAutomation A)> LiveAutomationAsync()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example);
        await app.SetVersionStatusAsync(a.VersionId, "live");
        return (admin, a);
    }

    [Fact]
    public async Task A_minor_bump_copies_the_latest_blueprint_into_v1_1_with_a_revision_project()
    {
        var (admin, a) = await LiveAutomationAsync();

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor", notes = "Add Slack alert" }))
            .ExpectAsync(HttpStatusCode.Created);

        var data = body.GetProperty("data");
        var version = data.GetProperty("version");
        Assert.Equal("v1.1", version.GetProperty("version").GetString());
        Assert.Equal("intake_in_progress", version.GetProperty("status").GetString());
        Assert.Equal("Add Slack alert", version.GetProperty("notes").GetString());
        Assert.Equal(a.VersionId, data.GetProperty("copied_from_version_id").GetGuid());
        var newId = version.GetProperty("id").GetGuid();
        Assert.True(await app.ScalarAsync<bool>(
            "SELECT n.blueprint_json = o.blueprint_json FROM automation_versions n, automation_versions o WHERE n.id = @n AND o.id = @o",
            ("n", newId), ("o", a.VersionId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM projects WHERE id = @p AND automation_version_id = @v AND type = 'revision' AND status = 'intake_in_progress'",
            ("p", data.GetProperty("project_id").GetGuid()), ("v", newId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'version_created' AND resource_id = @v AND user_id = @u AND metadata_json->>'bump' = 'minor'",
            ("v", newId), ("u", admin.UserId)));
        Assert.Equal("live", await app.ScalarAsync<string>("SELECT status FROM automation_versions WHERE id = @id", ("id", a.VersionId)));
    }

    [Fact]
    public async Task A_major_bump_counts_from_the_highest_version()
    {
        var (admin, a) = await LiveAutomationAsync();
        using var client = app.Client(admin.AccessToken);
        var v11 = (await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();
        await app.SetVersionStatusAsync(v11, "archived");

        var body = await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "major" })).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("v2.0", body.GetProperty("data").GetProperty("version").GetProperty("version").GetString());
        var list = await (await client.GetAsync(VersionsUrl(a.AutomationId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["v2.0", "v1.1", "v1.0"], list.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
    }

    [Theory]
    [InlineData("intake_in_progress", null)]
    [InlineData("ready_to_launch", null)]
    [InlineData("blocked", "qa_testing")]
    [InlineData("blocked", "intake_in_progress")]
    public async Task At_most_one_version_before_live(string openStatus, string? before)
    {
        var (admin, a) = await LiveAutomationAsync();
        using var client = app.Client(admin.AccessToken);
        var v11 = (await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();
        await app.SetVersionStatusAsync(v11, openStatus);
        if (before is not null)
        {
            await app.ExecuteAsync("UPDATE automation_versions SET status_before_blocked = @b WHERE id = @id", ("b", before), ("id", v11));
        }

        var body = await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "major" })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("pre_live_version_exists", body.GetProperty("code").GetString());
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM automation_versions WHERE automation_id = @a", ("a", a.AutomationId)));
    }

    [Fact]
    public async Task A_version_blocked_from_live_does_not_count_as_pre_live()
    {
        var (admin, a) = await LiveAutomationAsync();
        await app.SetVersionStatusAsync(a.VersionId, "blocked");
        await app.ExecuteAsync("UPDATE automation_versions SET status_before_blocked = 'live' WHERE id = @id", ("id", a.VersionId));

        await (await app.Client(admin.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Racing_requests_create_one_version()
    {
        var (admin, a) = await LiveAutomationAsync();
        using var client = app.Client(admin.AccessToken);

        var results = await Task.WhenAll(
            client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" }),
            client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "major" }));

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM automation_versions WHERE automation_id = @a", ("a", a.AutomationId)));
    }

    [Fact]
    public async Task Only_a_client_admin_creates_versions_and_another_tenant_sees_404()
    {
        var (admin, a) = await LiveAutomationAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var stranger = await app.SignUpAsync();

        await (await app.Client(member.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(stranger.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.NotFound);
        await (await app.Client(stranger.AccessToken).GetAsync(VersionsUrl(a.AutomationId))).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automation_versions WHERE automation_id = @a", ("a", a.AutomationId)));
    }

    [Theory]
    [InlineData("""{"bump":"patch"}""", "$.bump")]
    [InlineData("""{}""", "$.bump")]
    [InlineData("""{"bump":"minor","notes":7}""", "$.notes")]
    public async Task Bad_input_is_400_naming_the_field(string json, string path)
    {
        var (admin, a) = await LiveAutomationAsync();
        var res = await app.Client(admin.AccessToken).PostAsync(VersionsUrl(a.AutomationId),
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }

    [Fact]
    public async Task An_automation_whose_every_version_is_archived_gets_no_new_version()
    {
        var (admin, a) = await LiveAutomationAsync();
        await app.SetVersionStatusAsync(a.VersionId, "archived");

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("automation_archived", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_revision_starts_from_the_version_in_use_not_an_abandoned_draft()
    {
        var (admin, a) = await LiveAutomationAsync();
        using var client = app.Client(admin.AccessToken);
        var v11 = (await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();
        await app.SaveBlueprintAsync(admin.AccessToken, v11, BlueprintDocs.Chain(2));
        await app.SetVersionStatusAsync(v11, "archived");

        var body = await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created);

        var data = body.GetProperty("data");
        Assert.Equal("v1.2", data.GetProperty("version").GetProperty("version").GetString());
        Assert.Equal(a.VersionId, data.GetProperty("copied_from_version_id").GetGuid());
        Assert.True(await app.ScalarAsync<bool>(
            "SELECT n.blueprint_json = o.blueprint_json FROM automation_versions n, automation_versions o WHERE n.id = @n AND o.id = @o",
            ("n", data.GetProperty("version").GetProperty("id").GetGuid()), ("o", a.VersionId)));
    }

    [Fact]
    public async Task An_archived_automation_gets_no_new_version()
    {
        var (admin, a) = await LiveAutomationAsync();
        await app.ExecuteAsync("UPDATE automations SET archived_at = now() WHERE id = @a", ("a", a.AutomationId));

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("automation_archived", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_diff_lists_added_removed_and_changed_steps_by_id_with_the_changed_fields()
    {
        var (admin, a) = await LiveAutomationAsync();
        using var client = app.Client(admin.AccessToken);
        var v11 = (await (await client.PostJsonAsync(VersionsUrl(a.AutomationId), new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();
        await app.SaveBlueprintAsync(admin.AccessToken, v11, BlueprintDocs.Edit(d =>
        {
            d.Step(0, 2)["title"] = "Upsert HubSpot contact";
            d["sections"]![0]!["steps"]!.AsArray().RemoveAt(3);
            d.Step(0, 1)["next"] = new JsonArray("st_3", "st_5");
            d["sections"]![0]!["steps"]!.AsArray().Add(new JsonObject { ["id"] = "st_5", ["type"] = "action", ["title"] = "Alert sales in Slack", ["system"] = "slack" });
        }));

        var body = await (await client.GetAsync($"/v1/automation-versions/{v11}/diff?against={a.VersionId}")).ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("v1.0", data.GetProperty("against_version").GetString());
        Assert.Equal("st_5", data.GetProperty("added")[0].GetProperty("id").GetString());
        Assert.Equal("Alert sales in Slack", data.GetProperty("added")[0].GetProperty("title").GetString());
        Assert.Equal("st_4", data.GetProperty("removed")[0].GetProperty("id").GetString());
        var changed = data.GetProperty("changed").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("changes"));
        Assert.Equal(["st_2", "st_3"], changed.Keys.Order());
        Assert.Equal("Create HubSpot contact", changed["st_3"].GetProperty("title").GetProperty("from").GetString());
        Assert.Equal("Upsert HubSpot contact", changed["st_3"].GetProperty("title").GetProperty("to").GetString());
        Assert.Equal(JsonValueKind.Array, changed["st_2"].GetProperty("next").GetProperty("to").ValueKind);
    }

    [Fact]
    public async Task The_diff_refuses_a_missing_foreign_or_unrelated_against()
    {
        var (admin, a) = await LiveAutomationAsync();
        var other = await app.CreateAutomationAsync(admin.AccessToken, "Other");
        var stranger = await app.SignUpAsync();
        var foreign = await app.CreateAutomationAsync(stranger.AccessToken, "Foreign");
        using var client = app.Client(admin.AccessToken);

        var missing = await (await client.GetAsync($"/v1/automation-versions/{a.VersionId}/diff")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("$.against", out _));
        var unrelated = await (await client.GetAsync($"/v1/automation-versions/{a.VersionId}/diff?against={other.VersionId}")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(unrelated.GetProperty("errors").TryGetProperty("$.against", out _));
        await (await client.GetAsync($"/v1/automation-versions/{a.VersionId}/diff?against={foreign.VersionId}")).ExpectAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/automation-versions/{a.VersionId}/diff?against=nope")).ExpectAsync(HttpStatusCode.BadRequest);
        await (await app.Client(stranger.AccessToken).GetAsync($"/v1/automation-versions/{a.VersionId}/diff?against={a.VersionId}")).ExpectAsync(HttpStatusCode.NotFound);
    }
}
