using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow34_UpdateClientHealth;

public sealed class UpdateClientHealthTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string Url(Guid id) => $"/v1/admin/clients/{id}";

    private async Task<(Caller Owner, Guid Tenant, Guid Client)> ClientAsync(string health = "good")
    {
        var owner = await app.StaffAsync("ops_admin");
        var tenant = await app.InsertTenantAsync();
        return (owner, tenant, await app.InsertClientAsync(tenant, owner.UserId, "Hooli", health));
    }

    [Fact]
    public async Task A_worsening_raises_a_staff_only_retention_task_for_the_owner_notifies_and_is_audited()
    {
        var cs = await app.StaffAsync("cs_admin");
        var (owner, tenant, client) = await ClientAsync();

        var res = await app.Client(cs.AccessToken).PatchJsonAsync(Url(client), new { health_status = "at_risk", reason = "Usage fell 60%" });

        var data = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("at_risk", data.GetProperty("health_status").GetString());
        Assert.Equal("Usage fell 60%", data.GetProperty("health_reason").GetString());
        var taskId = data.GetProperty("retention_task_id").GetGuid();
        Assert.Equal(1, await app.CountAsync(
            """
            SELECT count(*) FROM tasks WHERE id = @id AND tenant_id = @t AND kind = 'client_retention' AND visibility = 'staff'
              AND assignee_id = @o AND context_type = 'client' AND context_id = @c AND status = 'todo'
            """, ("id", taskId), ("t", tenant), ("o", owner.UserId), ("c", client)));
        Assert.Equal("at_risk", await app.ScalarAsync<string>("SELECT health_status FROM clients WHERE id = @c", ("c", client)));
        var payload = await app.ScalarAsync<string>(
            "SELECT payload::text FROM outbox WHERE queue = 'notifications' AND payload->>'event' = 'client_health_worsened' AND tenant_id = @t", ("t", tenant));
        Assert.NotNull(payload);
        using (var p = JsonDocument.Parse(payload))
        {
            var eventData = p.RootElement.GetProperty("data");
            Assert.Equal(client, eventData.GetProperty("client_id").GetGuid());
            Assert.Equal("at_risk", eventData.GetProperty("to").GetString());
            var audience = p.RootElement.GetProperty("audience");
            Assert.Equal(owner.UserId, audience.GetProperty("user_id").GetGuid());
            Assert.True(audience.GetProperty("staff_only").GetBoolean());
        }
        var metadata = await app.ScalarAsync<string>(
            "SELECT metadata_json::text FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'client_health_changed' AND resource_type = 'client' AND resource_id = @c",
            ("t", tenant), ("u", cs.UserId), ("c", client));
        Assert.NotNull(metadata);
        using var meta = JsonDocument.Parse(metadata);
        Assert.Equal("good", meta.RootElement.GetProperty("from").GetString());
        Assert.Equal("at_risk", meta.RootElement.GetProperty("to").GetString());
        Assert.Equal("Usage fell 60%", meta.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_improvement_is_audited_but_raises_no_task_or_notification()
    {
        var admin = await app.StaffAsync("admin");
        var (_, tenant, client) = await ClientAsync("churn_risk");

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(Url(client), new { health_status = "good", reason = "Renewed" });

        var data = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("good", data.GetProperty("health_status").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("retention_task_id").ValueKind);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", tenant)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'client_health_worsened'", ("t", tenant)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'client_health_changed'", ("t", tenant)));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("owner_id")]
    [InlineData("committed_monthly_spend")]
    public async Task Only_health_can_change_here_any_other_field_is_refused(string field)
    {
        var admin = await app.StaffAsync("admin");
        var (_, tenant, client) = await ClientAsync();
        var body = new Dictionary<string, object> { ["health_status"] = "at_risk", ["reason"] = "r", [field] = "x" };

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(Url(client), body);

        var problem = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("$." + field, out _), problem.ToString());
        Assert.Equal("good", await app.ScalarAsync<string>("SELECT health_status FROM clients WHERE id = @c", ("c", client)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task An_unknown_health_or_a_missing_reason_is_refused_by_path()
    {
        var admin = await app.StaffAsync("admin");
        var (_, _, client) = await ClientAsync();
        using var http = app.Client(admin.AccessToken);

        var health = await (await http.PatchJsonAsync(Url(client), new { health_status = "dying", reason = "r" })).ExpectAsync(HttpStatusCode.BadRequest);
        var reason = await (await http.PatchJsonAsync(Url(client), new { health_status = "at_risk" })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["$.health_status"], health.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["$.reason"], reason.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task An_ops_admin_or_a_client_admin_may_not_change_health_and_an_unknown_client_is_not_found()
    {
        var ops = await app.StaffAsync("ops_admin");
        var workspace = await app.WorkspaceAdminAsync();
        var client = await app.InsertClientAsync(workspace.TenantId, ops.UserId, "Self");
        var admin = await app.StaffAsync("admin");
        var body = new { health_status = "churn_risk", reason = "r" };

        var weak = await app.Client(ops.AccessToken).PatchJsonAsync(Url(client), body);
        var self = await app.Client(workspace.AccessToken).PatchJsonAsync(Url(client), body);
        var unknown = await app.Client(admin.AccessToken).PatchJsonAsync(Url(Guid.CreateVersion7()), body);

        await weak.ExpectAsync(HttpStatusCode.Forbidden);
        await self.ExpectAsync(HttpStatusCode.Forbidden);
        await unknown.ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("good", await app.ScalarAsync<string>("SELECT health_status FROM clients WHERE id = @c", ("c", client)));
    }
}
