using System.Net;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow35_Archive;

public sealed class ArchiveTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private Task<string?> StatusOfAsync(Guid versionId) =>
        app.ScalarAsync<string>("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId));

    private async Task<Guid> OpenTaskAsync(Guid tenantId, Guid versionId)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, context_type, context_id, kind, title, status, visibility, priority, row_version, created_at, updated_at)
            VALUES (@id, @t, 'automation_version', @v, 'general_todo', 'Collect credentials', 'todo', 'client', 'medium', 1, now(), now())
            """, ("id", id), ("t", tenantId), ("v", versionId));
        return id;
    }

    [Fact]
    public async Task A_client_admin_archives_a_version_its_open_tasks_are_cancelled_and_it_becomes_read_only()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var task = await OpenTaskAsync(admin.TenantId, a.VersionId);
        var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { reason = "Replaced" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("archived", await StatusOfAsync(a.VersionId));
        Assert.Equal("archived", await app.ScalarAsync<string>("SELECT status FROM projects WHERE id = @p", ("p", a.ProjectId)));
        Assert.Equal("cancelled", await app.ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", ("id", task)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND metadata_json->>'to' = 'archived' AND metadata_json->>'reason' = 'Replaced'",
            ("v", a.VersionId)));

        var locked = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example, null)).ExpectAsync((HttpStatusCode)428);
        _ = locked;
        var refused = await (await app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example,
            await app.BlueprintETagAsync(admin.AccessToken, a.VersionId))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("version_not_editable", refused.GetProperty("code").GetString());
        Assert.NotEqual(etag, await app.BlueprintETagAsync(admin.AccessToken, a.VersionId));

        var again = await (await client.PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("invalid_transition", again.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_nothing_is_archived()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        using var client = app.Client(admin.AccessToken);
        client.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", "\"999\"");

        await (await client.PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("intake_in_progress", await StatusOfAsync(a.VersionId));
    }

    [Fact]
    public async Task Archiving_an_automation_archives_every_version_and_hides_it_from_the_default_list()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        await app.SetVersionStatusAsync(a.VersionId, "paused");
        using var client = app.Client(admin.AccessToken);
        var v11 = (await (await client.PostJsonAsync($"/v1/automations/{a.AutomationId}/versions", new { bump = "minor" })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();

        var body = await (await client.PostJsonAsync($"/v1/automations/{a.AutomationId}/archive", new { reason = "Process retired" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", body.GetProperty("data").GetProperty("status").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("data").GetProperty("archived_at").ValueKind);
        Assert.Equal("archived", await StatusOfAsync(a.VersionId));
        Assert.Equal("archived", await StatusOfAsync(v11));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'automation_archived' AND resource_id = @a", ("a", a.AutomationId)));
        var list = await (await client.GetAsync("/v1/automations")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
        var again = await (await client.PostJsonAsync($"/v1/automations/{a.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("already_archived", again.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Archiving_an_automation_whose_live_workflow_is_active_turns_the_workflow_off_and_archives_every_version()
    {
        var admin = await app.SignUpAsync();
        var live = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "intake_in_progress", live.AutomationId, minor: 1, bindingStatus: null, signedQuote: false);
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.PostJsonAsync($"/v1/automations/{live.AutomationId}/archive", new { reason = "Retired" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(["deactivate"], app.Platform.CallsFor(live.WorkflowId!));
        Assert.Equal("inactive", await app.BindingStatusAsync(live.VersionId));
        Assert.Equal("archived", await StatusOfAsync(live.VersionId));
        Assert.Equal("archived", await StatusOfAsync(next.VersionId));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automations WHERE id = @a AND archived_at IS NOT NULL", ("a", live.AutomationId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'automation_archived' AND resource_id = @a", ("a", live.AutomationId)));
    }

    [Fact]
    public async Task An_automation_whose_workflow_cannot_be_turned_off_is_not_archived_in_part()
    {
        var admin = await app.SignUpAsync();
        var live = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "intake_in_progress", live.AutomationId, minor: 1, bindingStatus: null, signedQuote: false);
        app.Platform.Fail(live.WorkflowId!, "deactivate", PlatformResult<PlatformWorkflow>.Unavailable("timeout", retryAfter: TimeSpan.FromSeconds(12)));
        using var client = app.Client(admin.AccessToken);

        var res = await client.PostJsonAsync($"/v1/automations/{live.AutomationId}/archive", new { });

        Assert.Equal("platform_unavailable", (await res.ExpectAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("code").GetString());
        Assert.Equal("12", res.Headers.RetryAfter?.ToString());
        Assert.Equal("live", await StatusOfAsync(live.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(live.VersionId));
        Assert.Equal("intake_in_progress", await StatusOfAsync(next.VersionId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE id = @a AND archived_at IS NOT NULL", ("a", live.AutomationId)));

        app.Platform.Heal(live.WorkflowId!);
        await (await client.PostJsonAsync($"/v1/automations/{live.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("archived", await StatusOfAsync(live.VersionId));
    }

    [Fact]
    public async Task Archiving_a_live_version_turns_its_workflow_off_first()
    {
        var admin = await app.SignUpAsync();
        var live = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/automation-versions/{live.VersionId}/archive", new { }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("inactive", app.Platform.StateOf(live.WorkflowId!));
        Assert.Equal("inactive", await app.BindingStatusAsync(live.VersionId));
    }

    [Fact]
    public async Task Archiving_a_version_whose_binding_is_in_error_still_turns_its_workflow_off()
    {
        var admin = await app.SignUpAsync();
        var paused = await app.LaunchVersionAsync(admin.TenantId, "paused", bindingStatus: "error");
        app.Platform.SetState(paused.WorkflowId!, "active");

        await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/automation-versions/{paused.VersionId}/archive", new { }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", await StatusOfAsync(paused.VersionId));
        Assert.Equal(["deactivate"], app.Platform.CallsFor(paused.WorkflowId!));
        Assert.Equal("inactive", app.Platform.StateOf(paused.WorkflowId!));
        Assert.Equal("inactive", await app.BindingStatusAsync(paused.VersionId));
    }

    [Fact]
    public async Task When_the_platform_refuses_to_turn_a_live_version_off_it_is_not_archived()
    {
        var admin = await app.SignUpAsync();
        var live = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        app.Platform.Fail(live.WorkflowId!, "deactivate", PlatformResult<PlatformWorkflow>.Rejected(409, "locked", "The workflow is locked."));

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/automation-versions/{live.VersionId}/archive", new { }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("platform_rejected", body.GetProperty("code").GetString());
        Assert.Equal("live", await StatusOfAsync(live.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(live.VersionId));
    }

    [Fact]
    public async Task An_operator_admin_archives_a_clients_version_in_the_clients_tenant()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var operatorAdmin = await app.StaffAsync("admin");

        await (await app.Client(operatorAdmin.AccessToken).PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND tenant_id = @t AND user_id = @u",
            ("t", admin.TenantId), ("u", operatorAdmin.UserId)));
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Members_and_viewers_may_not_archive(string role)
    {
        var admin = await app.SignUpAsync();
        var weak = await app.AddMemberAsync(admin.TenantId, [role]);
        var a = await app.CreateAutomationAsync(admin.AccessToken);

        await (await app.Client(weak.AccessToken).PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(weak.AccessToken).PostJsonAsync($"/v1/automations/{a.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("intake_in_progress", await StatusOfAsync(a.VersionId));
    }

    [Fact]
    public async Task Ops_admins_and_api_keys_may_not_archive()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);
        var ops = await app.StaffAsync("ops_admin");
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);

        await (await app.Client(ops.AccessToken).PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PostJsonAsync($"/v1/automations/{a.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("intake_in_progress", await StatusOfAsync(a.VersionId));
    }

    [Fact]
    public async Task Another_tenants_version_and_automation_are_404()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(owner.AccessToken);
        using var client = app.Client(other.AccessToken);

        await (await client.PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { })).ExpectAsync(HttpStatusCode.NotFound);
        await (await client.PostJsonAsync($"/v1/automations/{a.AutomationId}/archive", new { })).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("intake_in_progress", await StatusOfAsync(a.VersionId));
    }

    [Fact]
    public async Task A_too_long_reason_is_400()
    {
        var admin = await app.SignUpAsync();
        var a = await app.CreateAutomationAsync(admin.AccessToken);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/automation-versions/{a.VersionId}/archive", new { reason = new string('r', 2001) }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.reason", out _));
    }
}
