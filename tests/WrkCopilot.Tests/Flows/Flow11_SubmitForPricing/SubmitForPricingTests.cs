using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow11_SubmitForPricing;

public sealed class SubmitForPricingTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<CreatedAutomation> ReadyVersionAsync(Caller admin)
    {
        var created = await app.CreateAutomationAsync(admin.AccessToken);
        await app.SaveBlueprintAsync(admin.AccessToken, created.VersionId, BlueprintDocs.Example);
        return created;
    }

    [Fact]
    public async Task A_member_submits_and_gets_a_draft_quote_priced_from_the_rate_card()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var v = await ReadyVersionAsync(admin);

        var body = await (await app.Client(member.AccessToken).PostAsync(SubmitUrl(v.VersionId), null)).ExpectAsync(HttpStatusCode.OK);
        var data = body.GetProperty("data");

        Assert.Equal("needs_pricing", data.GetProperty("version").GetProperty("status").GetString());
        var quote = data.GetProperty("quote");
        // Example blueprint: 4 steps, 1 decision, 2 systems → score 4 + 2×1 + 3×2 = 12 (medium, 0.2500); setup 500 + 4 × 50.
        Assert.Equal("draft", quote.GetProperty("status").GetString());
        Assert.Equal("initial", quote.GetProperty("kind").GetString());
        Assert.Equal("700.00", quote.GetProperty("setup_fee").GetString());
        Assert.Equal("0.2500", quote.GetProperty("unit_price").GetString());
        Assert.Equal(1000, quote.GetProperty("estimated_volume").GetInt32());
        Assert.Equal("0.2500", quote.GetProperty("effective_unit_price").GetString());
        Assert.Equal("USD", quote.GetProperty("currency").GetString());
        Assert.Contains("complexity score 12 (medium)", quote.GetProperty("notes").GetString());
        var card = data.GetProperty("rate_card");
        Assert.Equal(4, card.GetProperty("steps").GetInt32());
        Assert.Equal(1, card.GetProperty("decision_steps").GetInt32());
        Assert.Equal(2, card.GetProperty("distinct_systems").GetInt32());
        Assert.Equal(12, card.GetProperty("complexity_score").GetInt32());
        Assert.Equal("medium", card.GetProperty("complexity").GetString());

        Assert.Equal("needs_pricing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal("draft", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal("700.00", await app.ScalarAsync("SELECT setup_fee FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
        // Ops get a staff-only pricing task on the project; staff get a notification.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE context_type = 'project' AND context_id = @p AND kind = 'pricing' AND visibility = 'staff' AND status = 'todo'",
            ("p", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'notifications' AND payload->>'event' = 'automation_version.submitted_for_pricing' AND payload->'audience'->>'kind' = 'staff'",
            ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @id AND action_type = 'status_transition' AND metadata_json->>'transition' = 'T1'",
            ("id", v.VersionId)));
    }

    [Fact]
    public async Task The_pricing_task_is_not_shown_to_the_client()
    {
        var admin = await app.SignUpAsync();
        var v = await ReadyVersionAsync(admin);
        await (await app.Client(admin.AccessToken).PostAsync(SubmitUrl(v.VersionId), null)).ExpectAsync(HttpStatusCode.OK);

        var tasks = await (await app.Client(admin.AccessToken).GetAsync("/v1/tasks")).ExpectAsync(HttpStatusCode.OK);

        Assert.DoesNotContain(tasks.GetProperty("data").EnumerateArray(), t => t.GetProperty("kind").GetString() == "pricing");
    }

    [Fact]
    public async Task A_blueprint_without_a_step_is_refused_and_nothing_is_priced()
    {
        var admin = await app.SignUpAsync();
        var v = await app.CreateAutomationAsync(admin.AccessToken);

        var res = await app.Client(admin.AccessToken).PostAsync(SubmitUrl(v.VersionId), null);
        var body = await res.ReadAsync();

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("blueprint_has_step", body.GetProperty("guard").GetString());
        Assert.Equal("intake_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @p", ("p", v.ProjectId)));
        Assert.Equal("none", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", v.ProjectId)));
    }

    [Fact]
    public async Task Submitting_twice_is_an_invalid_transition_and_leaves_one_quote()
    {
        var admin = await app.SignUpAsync();
        var v = await ReadyVersionAsync(admin);
        using var client = app.Client(admin.AccessToken);
        await (await client.PostAsync(SubmitUrl(v.VersionId), null)).ExpectAsync(HttpStatusCode.OK);

        var body = await (await client.PostAsync(SubmitUrl(v.VersionId), null)).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal("needs_pricing", body.GetProperty("current_status").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @p AND kind = 'pricing'", ("p", v.ProjectId)));
    }

    [Fact]
    public async Task Viewers_staff_and_api_keys_may_not_submit()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var ops = await app.StaffAsync("ops_admin");
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var v = await ReadyVersionAsync(admin);

        foreach (var bearer in new[] { viewer.AccessToken, ops.AccessToken, key })
        {
            await (await app.Client(bearer).PostAsync(SubmitUrl(v.VersionId), null)).ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal("intake_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
    }

    [Fact]
    public async Task Another_tenants_version_is_404_and_untouched()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var v = await ReadyVersionAsync(owner);

        var res = await app.Client(other.AccessToken).PostAsync(SubmitUrl(v.VersionId), null);
        var text = await res.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain(v.VersionId.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("intake_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
    }

    [Fact]
    public async Task A_malformed_id_is_refused_naming_it()
    {
        var admin = await app.SignUpAsync();

        var body = await (await app.Client(admin.AccessToken).PostAsync("/v1/automation-versions/not-a-uuid/submit", null))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.id", out _), body.ToString());
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var v = await ReadyVersionAsync(admin);
        using var client = app.Client(admin.AccessToken);
        using var req = new HttpRequestMessage(HttpMethod.Post, SubmitUrl(v.VersionId));
        req.Headers.TryAddWithoutValidation("If-Match", "\"999\"");

        var res = await client.SendAsync(req);

        Assert.Equal(HttpStatusCode.PreconditionFailed, res.StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM quotes WHERE automation_version_id = @id", ("id", v.VersionId)));
    }

    [Fact]
    public async Task The_tenants_currency_prices_the_quote()
    {
        var admin = await app.SignUpAsync();
        await app.ExecuteAsync("UPDATE tenants SET currency = 'EUR' WHERE id = @t", ("t", admin.TenantId));

        var priced = await app.SubmittedVersionAsync(admin);

        var quote = await app.GetQuoteAsync(admin.AccessToken, priced.QuoteId);
        Assert.Equal("EUR", quote.GetProperty("currency").GetString());
        Assert.Equal(JsonValueKind.String, quote.GetProperty("setup_fee").ValueKind);
    }
}
