using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow33_CreateClient;

public sealed class ReadClientsTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task The_list_filters_by_health_owner_and_name_and_counts_spend_this_month_and_open_alerts()
    {
        var staff = await app.StaffAsync("ops_admin");
        var owner = await app.StaffAsync("cs_admin");
        var marker = Guid.NewGuid().ToString("N")[..8];
        var t1 = await app.InsertTenantAsync();
        var t2 = await app.InsertTenantAsync();
        var c1 = await app.InsertClientAsync(t1, owner.UserId, $"Globex {marker} 100%", health: "at_risk", committed: 2500m);
        await app.InsertClientAsync(t2, staff.UserId, $"Initech {marker}");
        var version = (await app.OpsProjectAsync(t1)).VersionId;
        var other = (await app.OpsProjectAsync(t1)).VersionId;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var month = new DateOnly(today.Year, today.Month, 1);
        // Version 1 has a month aggregate and its days: the month row counts once. Version 2 has days only. Last month never counts.
        await app.InsertUsageAsync(t1, version, "month", month, month.AddMonths(1).AddDays(-1), 100.50m);
        await app.InsertUsageAsync(t1, version, "day", month, month, 100.50m);
        await app.InsertUsageAsync(t1, other, "day", month, month, 20.25m);
        await app.InsertUsageAsync(t1, other, "month", month.AddMonths(-1), month.AddDays(-1), 999m);
        await app.InsertAlertAsync(t1);
        await app.InsertAlertAsync(t1);
        await app.InsertAlertAsync(t1, status: "acknowledged");
        using var http = app.Client(staff.AccessToken);

        var byName = await (await http.GetAsync($"/v1/admin/clients?q={marker}%20100%25")).ExpectAsync(HttpStatusCode.OK);
        var item = Assert.Single(byName.GetProperty("data").EnumerateArray());
        Assert.Equal(c1, item.GetProperty("id").GetGuid());
        Assert.Equal("120.75", item.GetProperty("spend_this_period").GetString());
        Assert.Equal("2500.00", item.GetProperty("committed_monthly_spend").GetString());
        Assert.Equal(2, item.GetProperty("open_alerts").GetInt32());

        var both = (await (await http.GetAsync($"/v1/admin/clients?q={marker}")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(2, both.GetArrayLength());
        var atRisk = (await (await http.GetAsync($"/v1/admin/clients?q={marker}&health=at_risk")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(c1, Assert.Single(atRisk.EnumerateArray()).GetProperty("id").GetGuid());
        var byOwner = (await (await http.GetAsync($"/v1/admin/clients?owner_id={owner.UserId}")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(c1, Assert.Single(byOwner.EnumerateArray()).GetProperty("id").GetGuid());
        // A wildcard in the search is literal.
        var wildcard = (await (await http.GetAsync($"/v1/admin/clients?q={marker}_%25")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(0, wildcard.GetArrayLength());
    }

    [Fact]
    public async Task The_list_pages_with_a_cursor()
    {
        var staff = await app.StaffAsync("cs_admin");
        var marker = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await app.InsertClientAsync(await app.InsertTenantAsync(), null, $"Paged {marker} {i}"));
        }
        using var http = app.Client(staff.AccessToken);

        var first = await (await http.GetAsync($"/v1/admin/clients?q={marker}&limit=2")).ExpectAsync(HttpStatusCode.OK);
        var cursor = first.GetProperty("meta").GetProperty("next_cursor").GetString();
        var second = await (await http.GetAsync($"/v1/admin/clients?q={marker}&limit=2&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);

        var seen = first.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray())
            .Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("meta").GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Bad_filters_are_refused_by_path()
    {
        var staff = await app.StaffAsync("ops_admin");
        using var http = app.Client(staff.AccessToken);

        var health = await (await http.GetAsync("/v1/admin/clients?health=dying")).ExpectAsync(HttpStatusCode.BadRequest);
        var owner = await (await http.GetAsync("/v1/admin/clients?owner_id=someone")).ExpectAsync(HttpStatusCode.BadRequest);
        var limit = await (await http.GetAsync("/v1/admin/clients?limit=500")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(health.GetProperty("errors").TryGetProperty("$.health", out _), health.ToString());
        Assert.True(owner.GetProperty("errors").TryGetProperty("$.owner_id", out _), owner.ToString());
        Assert.True(limit.GetProperty("errors").TryGetProperty("$.limit", out _), limit.ToString());
    }

    [Fact]
    public async Task One_client_shows_its_projects_spend_and_alerts()
    {
        var staff = await app.StaffAsync("ops_admin");
        var tenant = await app.InsertTenantAsync();
        var clientId = await app.InsertClientAsync(tenant, staff.UserId, "Umbrella");
        var p1 = await app.OpsProjectAsync(tenant, clientId: clientId, name: "Invoices");
        var p2 = await app.OpsProjectAsync(tenant, status: "live", name: "Leads");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await app.InsertUsageAsync(tenant, p1.VersionId, "day", today, today, 7.10m);
        await app.InsertAlertAsync(tenant);
        var elsewhere = await app.InsertTenantAsync();
        await app.OpsProjectAsync(elsewhere, name: "Not theirs");

        var res = await app.Client(staff.AccessToken).GetAsync($"/v1/admin/clients/{clientId}");

        var client = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Umbrella", client.GetProperty("name").GetString());
        Assert.Equal("7.10", client.GetProperty("spend_this_period").GetString());
        Assert.Equal(1, client.GetProperty("open_alerts").GetInt32());
        var projects = client.GetProperty("projects").EnumerateArray().ToList();
        Assert.Equal([p2.ProjectId, p1.ProjectId], projects.Select(p => p.GetProperty("id").GetGuid()));
        Assert.Equal("live", projects[0].GetProperty("status").GetString());
        Assert.DoesNotContain("Not theirs", client.ToString());
    }

    [Fact]
    public async Task An_unknown_client_is_not_found_and_clients_may_not_read_the_console()
    {
        var staff = await app.StaffAsync("ops_admin");
        var workspace = await app.WorkspaceAdminAsync();
        var clientId = await app.InsertClientAsync(workspace.TenantId, staff.UserId, "Own record");

        var unknown = await app.Client(staff.AccessToken).GetAsync($"/v1/admin/clients/{Guid.CreateVersion7()}");
        var self = await app.Client(workspace.AccessToken).GetAsync($"/v1/admin/clients/{clientId}");
        var list = await app.Client(workspace.AccessToken).GetAsync("/v1/admin/clients");

        Assert.Equal("not_found", (await unknown.ExpectAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.DoesNotContain("Own record", (await self.ExpectAsync(HttpStatusCode.Forbidden)).ToString());
        await list.ExpectAsync(HttpStatusCode.Forbidden);
    }
}
