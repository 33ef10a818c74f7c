using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow08_CreateAutomation;

public sealed class CreateAutomationTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task A_client_admin_creates_an_automation_with_v1_0_in_intake_an_empty_blueprint_and_a_project()
    {
        var admin = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.PostJsonAsync("/v1/automations",
            new { name = "Invoice intake", description = "Read invoices from email", department = "Finance" })).ExpectAsync(HttpStatusCode.Created);

        var data = body.GetProperty("data");
        var automation = data.GetProperty("automation");
        Assert.Equal("Invoice intake", automation.GetProperty("name").GetString());
        Assert.Equal("Finance", automation.GetProperty("department").GetString());
        Assert.Equal(admin.UserId, automation.GetProperty("owner_id").GetGuid());
        Assert.Equal("intake_in_progress", automation.GetProperty("status").GetString());
        var version = data.GetProperty("version");
        Assert.Equal("v1.0", version.GetProperty("version").GetString());
        Assert.Equal("intake_in_progress", version.GetProperty("status").GetString());
        var versionId = version.GetProperty("id").GetGuid();
        Assert.True(await app.ScalarAsync<bool>(
            """SELECT blueprint_json = '{"schema_version":1,"summary":"","sections":[],"metadata":{}}'::jsonb FROM automation_versions WHERE id = @id""",
            ("id", versionId)));
        var projectId = data.GetProperty("project_id").GetGuid();
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM projects WHERE id = @p AND automation_version_id = @v AND type = 'new_automation' AND status = 'intake_in_progress' AND tenant_id = @t",
            ("p", projectId), ("v", versionId), ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'automation_created' AND tenant_id = @t AND user_id = @u AND metadata_json->>'name' = 'Invoice intake'",
            ("t", admin.TenantId), ("u", admin.UserId)));
    }

    [Fact]
    public async Task The_owner_may_be_another_member_but_never_someone_outside_the_workspace()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var stranger = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);

        var ok = await (await client.PostJsonAsync("/v1/automations", new { name = "A", owner_id = member.UserId })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(member.UserId, ok.GetProperty("data").GetProperty("automation").GetProperty("owner_id").GetGuid());

        var refused = await (await client.PostJsonAsync("/v1/automations", new { name = "B", owner_id = stranger.UserId })).ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(stranger.Email, refused.ToString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @t AND name = 'B'", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Only_a_client_admin_creates_automations(string role)
    {
        var admin = await app.SignUpAsync();
        var weak = await app.AddMemberAsync(admin.TenantId, [role]);

        var body = await (await app.Client(weak.AccessToken).PostJsonAsync("/v1/automations", new { name = "X" })).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Staff_cannot_create_automations_in_their_own_operator_tenant()
    {
        var ops = await app.StaffAsync("ops_admin");
        await (await app.Client(ops.AccessToken).PostJsonAsync("/v1/automations", new { name = "X" })).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_api_key_needs_automations_write()
    {
        var admin = await app.SignUpAsync();
        var writer = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["automations:write"]);
        var reader = await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["automations:read"]);

        var created = await (await app.Client(writer).PostJsonAsync("/v1/automations", new { name = "By key" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("data").GetProperty("automation").GetProperty("owner_id").ValueKind);
        await (await app.Client(reader).PostJsonAsync("/v1/automations", new { name = "No" })).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("""{}""", "$.name")]
    [InlineData("""{"name":"   "}""", "$.name")]
    [InlineData("""{"name":"a","department":123}""", "$.department")]
    [InlineData("""{"name":"a","owner_id":"not-a-uuid"}""", "$.owner_id")]
    [InlineData("""{"name":"a","colour":"red"}""", "$.colour")]
    public async Task Bad_input_is_400_naming_the_field(string json, string path)
    {
        var admin = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);
        var res = await client.PostAsync("/v1/automations", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task The_longest_name_fits_its_project_too()
    {
        var admin = await app.SignUpAsync();
        var name = new string('n', 200);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync("/v1/automations", new { name })).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(name, body.GetProperty("data").GetProperty("automation").GetProperty("name").GetString());
        var project = await app.ScalarAsync<string>("SELECT name FROM projects WHERE id = @p", ("p", body.GetProperty("data").GetProperty("project_id").GetGuid()));
        Assert.EndsWith(" v1.0", project);
        Assert.Equal(200, project!.Length);
    }

    [Fact]
    public async Task A_too_long_name_is_refused()
    {
        var admin = await app.SignUpAsync();
        var body = await (await app.Client(admin.AccessToken).PostJsonAsync("/v1/automations", new { name = new string('n', 201) }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.name", out _));
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_first_creation()
    {
        var admin = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "create-1");

        var first = await (await client.PostJsonAsync("/v1/automations", new { name = "Once" })).ExpectAsync(HttpStatusCode.Created);
        var second = await (await client.PostJsonAsync("/v1/automations", new { name = "Once" })).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(first.GetProperty("data").GetProperty("automation").GetProperty("id").GetGuid(),
            second.GetProperty("data").GetProperty("automation").GetProperty("id").GetGuid());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @t", ("t", admin.TenantId)));
    }
}
