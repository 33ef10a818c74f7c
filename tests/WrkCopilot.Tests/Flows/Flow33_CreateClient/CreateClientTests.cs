using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow33_CreateClient;

public sealed class CreateClientTests(WrkApp app) : IClassFixture<WrkApp>
{
    private const string Url = "/v1/admin/clients";

    private static object Body(Guid tenantId, Guid ownerId, string name = "Acme Corp", string spend = "1500.00") =>
        new { tenant_id = tenantId, name, industry = "Retail", owner_id = ownerId, committed_monthly_spend = spend };

    private static string ErrorPaths(JsonElement body) => string.Join(",", body.GetProperty("errors").EnumerateObject().Select(p => p.Name));

    [Fact]
    public async Task A_cs_admin_links_a_client_workspace_and_the_link_is_audited_there()
    {
        var cs = await app.StaffAsync("cs_admin");
        var owner = await app.StaffAsync("ops_admin");
        var workspace = await app.WorkspaceAdminAsync("Acme");

        var res = await app.Client(cs.AccessToken).PostJsonAsync(Url, Body(workspace.TenantId, owner.UserId));

        var client = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = client.GetProperty("id").GetGuid();
        Assert.Equal(workspace.TenantId, client.GetProperty("tenant_id").GetGuid());
        Assert.Equal("Acme Corp", client.GetProperty("name").GetString());
        Assert.Equal("Retail", client.GetProperty("industry").GetString());
        Assert.Equal("good", client.GetProperty("health_status").GetString());
        Assert.Equal(owner.UserId, client.GetProperty("owner_id").GetGuid());
        Assert.Equal("1500.00", client.GetProperty("committed_monthly_spend").GetString());
        Assert.Equal("0.00", client.GetProperty("spend_this_period").GetString());
        Assert.Equal(0, client.GetProperty("open_alerts").GetInt32());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM clients WHERE id = @id AND tenant_id = @t AND committed_monthly_spend = 1500.00",
            ("id", id), ("t", workspace.TenantId)));
        var metadata = await app.ScalarAsync<string>(
            "SELECT metadata_json::text FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'client_created' AND resource_type = 'client' AND resource_id = @id",
            ("t", workspace.TenantId), ("u", cs.UserId), ("id", id));
        Assert.NotNull(metadata);
        using var meta = JsonDocument.Parse(metadata);
        Assert.Equal("Acme Corp", meta.RootElement.GetProperty("name").GetString());
        Assert.Equal(owner.UserId, meta.RootElement.GetProperty("owner_id").GetGuid());
        Assert.Equal("1500.00", meta.RootElement.GetProperty("committed_monthly_spend").GetString());
        Assert.Equal(cs.TenantId, meta.RootElement.GetProperty("actor_tenant_id").GetGuid());
    }

    [Fact]
    public async Task A_workspace_is_linked_once_a_second_link_is_a_conflict()
    {
        var admin = await app.StaffAsync("admin");
        var workspace = await app.WorkspaceAdminAsync();
        using var http = app.Client(admin.AccessToken);
        await (await http.PostJsonAsync(Url, Body(workspace.TenantId, admin.UserId))).ExpectAsync(HttpStatusCode.Created);

        var again = await http.PostJsonAsync(Url, Body(workspace.TenantId, admin.UserId, name: "Other name"));

        var body = await again.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("client_exists", body.GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM clients WHERE tenant_id = @t", ("t", workspace.TenantId)));
    }

    [Fact]
    public async Task Only_an_existing_client_workspace_can_be_linked()
    {
        var admin = await app.StaffAsync("admin");
        using var http = app.Client(admin.AccessToken);

        var unknown = await (await http.PostJsonAsync(Url, Body(Guid.CreateVersion7(), admin.UserId))).ExpectAsync(HttpStatusCode.BadRequest);
        var op = await (await http.PostJsonAsync(Url, Body(admin.TenantId, admin.UserId))).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal("$.tenant_id", ErrorPaths(unknown));
        Assert.Equal("$.tenant_id", ErrorPaths(op));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM clients WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task The_owner_must_be_staff_not_a_client_user()
    {
        var admin = await app.StaffAsync("admin");
        var workspace = await app.WorkspaceAdminAsync();

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url, Body(workspace.TenantId, workspace.UserId));

        Assert.Equal("$.owner_id", ErrorPaths(await res.ExpectAsync(HttpStatusCode.BadRequest)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM clients WHERE tenant_id = @t", ("t", workspace.TenantId)));
    }

    [Theory]
    [InlineData("12.345")]
    [InlineData("-5.00")]
    [InlineData("1e3")]
    [InlineData("")]
    public async Task Money_must_be_a_decimal_string(string spend)
    {
        var admin = await app.StaffAsync("admin");
        var workspace = await app.WorkspaceAdminAsync();

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url, Body(workspace.TenantId, admin.UserId, spend: spend));

        Assert.Equal("$.committed_monthly_spend", ErrorPaths(await res.ExpectAsync(HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task Money_as_a_json_number_and_a_missing_name_are_refused_by_path()
    {
        var admin = await app.StaffAsync("admin");
        var workspace = await app.WorkspaceAdminAsync();
        using var http = app.Client(admin.AccessToken);

        var number = await http.PostJsonAsync(Url, new { tenant_id = workspace.TenantId, name = "A", owner_id = admin.UserId, committed_monthly_spend = 1500.0 });
        var noName = await http.PostJsonAsync(Url, new { tenant_id = workspace.TenantId, owner_id = admin.UserId, committed_monthly_spend = "1.00" });

        Assert.Contains("$.committed_monthly_spend", ErrorPaths(await number.ExpectAsync(HttpStatusCode.BadRequest)));
        Assert.Equal("$.name", ErrorPaths(await noName.ExpectAsync(HttpStatusCode.BadRequest)));
    }

    [Theory]
    [InlineData("ops_admin")]
    [InlineData("client_admin")]
    public async Task Ops_admins_and_client_admins_may_not_create_clients(string who)
    {
        var workspace = await app.WorkspaceAdminAsync();
        var caller = who == "client_admin" ? workspace : await app.StaffAsync(who);

        var res = await app.Client(caller.AccessToken).PostJsonAsync(Url, Body(workspace.TenantId, caller.UserId));

        Assert.Equal("forbidden", (await res.ExpectAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM clients WHERE tenant_id = @t", ("t", workspace.TenantId)));
    }
}
