using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow08_CreateAutomation;

/// <summary>Flow 8's lists and reads, on a direct connection.</summary>
public sealed class ListAutomationsTests(WrkApp app) : ListAutomationsContract(app), IClassFixture<WrkApp>;

/// <summary>Flow 8's list and read tests (tenant isolation, staff elevation) against any app: direct here, through PgBouncer in <c>Topology/</c>.</summary>
public abstract class ListAutomationsContract(WrkApp app)
{
    private static List<string> Names(JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task Lists_newest_first_and_filters_by_status_department_and_name()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        await app.CreateAutomationAsync(admin.AccessToken, "Lead sync", "Sales");
        var invoices = await app.CreateAutomationAsync(admin.AccessToken, "Invoice 100%_match", "Finance");
        await app.CreateAutomationAsync(admin.AccessToken, "Payroll", "Finance");
        await app.SetVersionStatusAsync(invoices.VersionId, "needs_pricing");
        using var client = app.Client(viewer.AccessToken);

        Assert.Equal(["Payroll", "Invoice 100%_match", "Lead sync"], Names(await (await client.GetAsync("/v1/automations")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(["Payroll", "Invoice 100%_match"], Names(await (await client.GetAsync("/v1/automations?department=Finance")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(["Invoice 100%_match"], Names(await (await client.GetAsync("/v1/automations?status=needs_pricing")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(["Lead sync"], Names(await (await client.GetAsync("/v1/automations?q=LEAD")).ExpectAsync(HttpStatusCode.OK)));
        // LIKE wildcards in the search are literal characters.
        Assert.Equal(["Invoice 100%_match"], Names(await (await client.GetAsync("/v1/automations?q=0%25_")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(["Invoice 100%_match"], Names(await (await client.GetAsync("/v1/automations?q=%25")).ExpectAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task Cursor_pagination_walks_every_automation_once()
    {
        var admin = await app.SignUpAsync();
        for (var i = 0; i < 5; i++)
        {
            await app.CreateAutomationAsync(admin.AccessToken, $"A{i}");
        }
        using var client = app.Client(admin.AccessToken);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var body = await (await client.GetAsync($"/v1/automations?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}")).ExpectAsync(HttpStatusCode.OK);
            seen.AddRange(Names(body));
            Assert.Equal(2, body.GetProperty("meta").GetProperty("limit").GetInt32());
            cursor = body.GetProperty("meta").GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(["A4", "A3", "A2", "A1", "A0"], seen);
    }

    [Fact]
    public async Task Archived_automations_are_listed_only_when_asked()
    {
        var admin = await app.SignUpAsync();
        var kept = await app.CreateAutomationAsync(admin.AccessToken, "Kept");
        var gone = await app.CreateAutomationAsync(admin.AccessToken, "Gone");
        await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/automations/{gone.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.OK);
        using var client = app.Client(admin.AccessToken);

        Assert.Equal(["Kept"], Names(await (await client.GetAsync("/v1/automations")).ExpectAsync(HttpStatusCode.OK)));
        var all = await (await client.GetAsync("/v1/automations?include_archived=true")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Gone", "Kept"], Names(all));
        Assert.Equal("archived", all.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal(["Gone"], Names(await (await client.GetAsync("/v1/automations?status=archived")).ExpectAsync(HttpStatusCode.OK)));
        _ = kept;
    }

    [Fact]
    public async Task Another_tenants_automations_are_neither_listed_nor_readable()
    {
        var mine = await app.SignUpAsync();
        var theirs = await app.SignUpAsync();
        var secret = await app.CreateAutomationAsync(theirs.AccessToken, "Their secret");
        using var client = app.Client(mine.AccessToken);

        Assert.Empty(Names(await (await client.GetAsync("/v1/automations")).ExpectAsync(HttpStatusCode.OK)));
        var res = await (await client.GetAsync($"/v1/automations/{secret.AutomationId}")).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain("Their secret", res.ToString());
        var key = await app.ApiKeyAsync(mine.TenantId, mine.UserId, ["automations:read"]);
        await (await app.Client(key).GetAsync($"/v1/public/automations/{secret.AutomationId}")).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_shows_the_status_of_the_newest_version_that_is_not_archived()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken, "Lead sync");
        await app.SetVersionStatusAsync(a.VersionId, "live");
        using var client = app.Client(admin.AccessToken);
        await (await client.PostJsonAsync($"/v1/automations/{a.AutomationId}/versions", new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created);

        var body = await (await client.GetAsync($"/v1/automations/{a.AutomationId}")).ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("intake_in_progress", data.GetProperty("status").GetString());
        Assert.Equal("v1.1", data.GetProperty("latest_version").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Staff_read_a_clients_automation_in_its_tenant_and_the_read_is_audited_there()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken, "Lead sync");
        var cs = await app.StaffAsync("cs_admin");

        var body = await (await app.Client(cs.AccessToken).GetAsync($"/v1/automations/{a.AutomationId}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Lead sync", body.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'staff_elevation' AND resource_id = @a",
            ("t", admin.TenantId), ("u", cs.UserId), ("a", a.AutomationId)));
    }

    [Fact]
    public async Task The_public_api_is_for_api_keys_only()
    {
        var admin = await app.SignUpAsync();
        await app.CreateAutomationAsync(admin.AccessToken, "Lead sync");
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["automations:read"]);
        var usageOnly = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["usage:read"]);

        Assert.Equal(["Lead sync"], Names(await (await app.Client(key).GetAsync("/v1/public/automations")).ExpectAsync(HttpStatusCode.OK)));
        await (await app.Client(admin.AccessToken).GetAsync("/v1/public/automations")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(usageOnly).GetAsync("/v1/public/automations")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("status=done", "$.status")]
    [InlineData("limit=0", "$.limit")]
    [InlineData("limit=201", "$.limit")]
    [InlineData("cursor=nope", "$.cursor")]
    [InlineData("include_archived=maybe", "$.include_archived")]
    public async Task Bad_filters_are_400_naming_the_parameter(string query, string path)
    {
        var admin = await app.SignUpAsync();
        var body = await (await app.Client(admin.AccessToken).GetAsync($"/v1/automations?{query}")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }
}
