using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow34_UpdateClientHealth;

public sealed class AdminReadsTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static List<Guid> Ids(System.Text.Json.JsonElement body) =>
        body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task The_pipeline_lists_projects_of_every_workspace_with_its_filters()
    {
        var staff = await app.StaffAsync("cs_admin");
        var owner = await app.StaffAsync("ops_admin");
        var t1 = await app.InsertTenantAsync();
        var t2 = await app.InsertTenantAsync();
        var client = await app.InsertClientAsync(t1, owner.UserId);
        var pricing = await app.OpsProjectAsync(t1, status: "needs_pricing", pricingStatus: "draft", ownerId: owner.UserId, clientId: client);
        var live = await app.OpsProjectAsync(t2, status: "live", pricingStatus: "signed");
        using var http = app.Client(staff.AccessToken);

        var all = Ids(await (await http.GetAsync("/v1/admin/projects?limit=200")).ExpectAsync(HttpStatusCode.OK));
        Assert.Contains(pricing.ProjectId, all);
        Assert.Contains(live.ProjectId, all);
        Assert.Equal([live.ProjectId], Ids(await (await http.GetAsync($"/v1/admin/projects?status=live&pricing_status=signed")).ExpectAsync(HttpStatusCode.OK))
            .Where(id => id == live.ProjectId || id == pricing.ProjectId));
        Assert.Equal([pricing.ProjectId], Ids(await (await http.GetAsync($"/v1/admin/projects?owner_id={owner.UserId}")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal([pricing.ProjectId], Ids(await (await http.GetAsync($"/v1/admin/projects?client_id={client}")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Empty(Ids(await (await http.GetAsync($"/v1/admin/projects?client_id={client}&pricing_status=signed")).ExpectAsync(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task One_project_shows_where_it_belongs()
    {
        var staff = await app.StaffAsync("ops_admin");
        var tenant = await app.InsertTenantAsync("Wayne Enterprises");
        var client = await app.InsertClientAsync(tenant, staff.UserId, "Wayne");
        var project = await app.OpsProjectAsync(tenant, status: "build_in_progress", clientId: client, name: "Payroll");
        await app.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, context_type, context_id, kind, title, status, visibility, priority, row_version, created_at, updated_at)
            VALUES (gen_random_uuid(), @t, 'project', @p, 'build_checklist', 'a', 'todo', 'staff', 'medium', 1, now(), now()),
                   (gen_random_uuid(), @t, 'project', @p, 'build_checklist', 'b', 'done', 'staff', 'medium', 1, now(), now())
            """, ("t", tenant), ("p", project.ProjectId));

        var res = await app.Client(staff.AccessToken).GetAsync($"/v1/admin/projects/{project.ProjectId}");

        var p = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Wayne Enterprises", p.GetProperty("tenant_name").GetString());
        Assert.Equal("Wayne", p.GetProperty("client_name").GetString());
        Assert.Equal("Payroll", p.GetProperty("automation_name").GetString());
        Assert.Equal("v1.0", p.GetProperty("version").GetString());
        Assert.Equal("build_in_progress", p.GetProperty("status").GetString());
        Assert.Equal(1, p.GetProperty("open_tasks").GetInt32());
    }

    [Fact]
    public async Task Pipeline_reads_refuse_clients_unknown_ids_and_bad_filters()
    {
        var staff = await app.StaffAsync("ops_admin");
        var workspace = await app.WorkspaceAdminAsync();
        var own = await app.OpsProjectAsync(workspace.TenantId);
        using var http = app.Client(staff.AccessToken);

        await (await app.Client(workspace.AccessToken).GetAsync("/v1/admin/projects")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(workspace.AccessToken).GetAsync($"/v1/admin/projects/{own.ProjectId}")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await http.GetAsync($"/v1/admin/projects/{Guid.CreateVersion7()}")).ExpectAsync(HttpStatusCode.NotFound);
        var status = await (await http.GetAsync("/v1/admin/projects?status=done")).ExpectAsync(HttpStatusCode.BadRequest);
        var pricing = await (await http.GetAsync("/v1/admin/projects?pricing_status=free")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(status.GetProperty("errors").TryGetProperty("$.status", out _), status.ToString());
        Assert.True(pricing.GetProperty("errors").TryGetProperty("$.pricing_status", out _), pricing.ToString());
    }

    [Fact]
    public async Task The_operator_admin_reads_the_audit_log_of_every_workspace_with_its_filters()
    {
        var admin = await app.StaffAsync("admin");
        var t1 = await app.InsertTenantAsync();
        var t2 = await app.InsertTenantAsync();
        var actor = admin.UserId;
        var resource = Guid.CreateVersion7();
        var old = await AuditAsync(t1, actor, "quote_signed", "quote", resource, "2020-01-01T00:00:00Z");
        var recent = await AuditAsync(t1, actor, "quote_signed", "quote", resource, "2020-06-01T00:00:00Z");
        var otherTenant = await AuditAsync(t2, null, "quote_signed", "quote", resource, "2020-06-01T00:00:00Z");
        var otherAction = await AuditAsync(t1, actor, "client_health_changed", "client", resource, "2020-06-01T00:00:00Z");
        using var http = app.Client(admin.AccessToken);

        var byResource = await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(new[] { otherAction, otherTenant, recent, old }.Order(), Ids(byResource).Order());
        var item = byResource.GetProperty("data").EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == old);
        Assert.Equal(t1, item.GetProperty("tenant_id").GetGuid());
        Assert.Equal(actor, item.GetProperty("user_id").GetGuid());
        Assert.Equal("seeded", item.GetProperty("metadata").GetProperty("note").GetString());

        Assert.Equal([otherTenant], Ids(await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}&tenant_id={t2}")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal([otherAction], Ids(await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}&action=client_health_changed")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal([otherAction], Ids(await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}&resource_type=client")).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(new[] { otherAction, recent, old }.Order(), Ids(await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}&actor={actor}")).ExpectAsync(HttpStatusCode.OK)).Order());
        Assert.Equal([old], Ids(await (await http.GetAsync($"/v1/admin/audit-logs?resource_id={resource}&from=2019-12-31T00:00:00Z&to=2020-02-01T00:00:00%2B01:00")).ExpectAsync(HttpStatusCode.OK)));
    }

    [Theory]
    [InlineData("ops_admin")]
    [InlineData("cs_admin")]
    public async Task Only_the_operator_admin_reads_the_audit_log(string role)
    {
        var staff = await app.StaffAsync(role);
        var workspace = await app.WorkspaceAdminAsync();

        await (await app.Client(staff.AccessToken).GetAsync("/v1/admin/audit-logs")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(workspace.AccessToken).GetAsync("/v1/admin/audit-logs")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(staff.AccessToken).GetAsync("/v1/admin/audit-logs/export")).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_empty_time_window_or_a_bad_actor_is_refused_by_path()
    {
        var admin = await app.StaffAsync("admin");
        using var http = app.Client(admin.AccessToken);

        var window = await (await http.GetAsync("/v1/admin/audit-logs?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z")).ExpectAsync(HttpStatusCode.BadRequest);
        var actor = await (await http.GetAsync("/v1/admin/audit-logs?actor=nobody")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(window.GetProperty("errors").TryGetProperty("$.to", out _), window.ToString());
        Assert.True(actor.GetProperty("errors").TryGetProperty("$.actor", out _), actor.ToString());
    }

    private async Task<Guid> AuditAsync(Guid tenant, Guid? user, string action, string resourceType, Guid resourceId, string at)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO audit_logs (id, tenant_id, user_id, action_type, resource_type, resource_id, metadata_json, created_at)
            VALUES (@id, @t, @u, @a, @rt, @r, '{"note":"seeded"}', @at::timestamptz)
            """, ("id", id), ("t", tenant), ("u", (object?)user ?? DBNull.Value), ("a", action), ("rt", resourceType), ("r", resourceId), ("at", at));
        return id;
    }
}
