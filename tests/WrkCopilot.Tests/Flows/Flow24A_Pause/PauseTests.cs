using System.Net;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow24A_Pause;

public sealed class PauseTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private static string Url(Guid id) => $"/v1/automation-versions/{id}/pause";

    [Fact]
    public async Task A_client_admin_pauses_a_live_version_and_its_workflow_is_turned_off()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        var body = await (await app.Client(admin.AccessToken).PostAsync(Url(v.VersionId), null)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("paused", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("paused", await app.ScalarAsync<string>("SELECT status FROM projects WHERE id = @p", ("p", v.ProjectId)));
        Assert.Equal("inactive", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal(["deactivate"], app.Platform.CallsFor(v.WorkflowId!));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND metadata_json->>'to' = 'paused'",
            ("v", v.VersionId)));
    }

    [Fact]
    public async Task An_operator_admin_pauses_a_clients_version()
    {
        var admin = await app.SignUpAsync();
        var staff = await app.OperatorAdminAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        await (await app.Client(staff.AccessToken).PostJsonAsync(Url(v.VersionId), new { reason = "Client asked" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND tenant_id = @t AND user_id = @u",
            ("t", admin.TenantId), ("u", staff.UserId)));
    }

    [Fact]
    public async Task When_the_platform_is_down_the_version_stays_live_and_its_workflow_active()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        app.Platform.Fail(v.WorkflowId!, "deactivate", PlatformResult<PlatformWorkflow>.Unavailable("connection refused"));

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { });
        var body = await res.ExpectAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("platform_unavailable", body.GetProperty("code").GetString());
        Assert.NotNull(res.Headers.RetryAfter);
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal(0, await app.TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task Only_a_live_version_can_be_paused()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused");

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Empty(app.Platform.CallsFor(v.WorkflowId!));
    }

    [Fact]
    public async Task Members_and_api_keys_may_not_pause_and_another_tenant_gets_404()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var stranger = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        await (await app.Client(member.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Forbidden);
        var res = await app.Client(stranger.AccessToken).PostJsonAsync(Url(v.VersionId), new { });
        await res.ExpectAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain(v.WorkflowId!, await res.Content.ReadAsStringAsync());
        Assert.Empty(app.Platform.CallsFor(v.WorkflowId!));
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task A_too_long_reason_is_400()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { reason = new string('r', 2001) }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.reason", out _));
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
    }
}
