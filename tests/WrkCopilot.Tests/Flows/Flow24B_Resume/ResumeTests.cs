using System.Net;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow24B_Resume;

public sealed class ResumeTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private static string Url(Guid id) => $"/v1/automation-versions/{id}/resume";

    [Fact]
    public async Task A_client_admin_resumes_a_paused_version_and_its_workflow_runs_again()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused", bindingStatus: "inactive");

        var body = await (await app.Client(admin.AccessToken).PostAsync(Url(v.VersionId), null)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal("active", app.Platform.StateOf(v.WorkflowId!));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND metadata_json->>'from' = 'paused'",
            ("v", v.VersionId)));
    }

    [Fact]
    public async Task An_ops_admin_resumes_a_clients_version()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused");

        await (await app.Client(ops.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task Without_a_binding_the_guard_fails_and_the_platform_is_not_called()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused", bindingStatus: null);
        var before = app.Platform.Calls.Count;

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("binding_exists", body.GetProperty("guard").GetString());
        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal(before, app.Platform.Calls.Count);
    }

    [Fact]
    public async Task When_the_platform_refuses_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused");
        app.Platform.Fail(v.WorkflowId!, "activate", PlatformResult<PlatformWorkflow>.Rejected(404, "not_found", "No such workflow."));

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("platform_rejected", body.GetProperty("code").GetString());
        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task When_the_platform_is_down_the_answer_is_503_and_the_version_stays_paused()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused");
        app.Platform.Fail(v.WorkflowId!, "activate", PlatformResult<PlatformWorkflow>.Unavailable("timeout", retryAfter: TimeSpan.FromSeconds(5)));

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { });

        await res.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("5", res.Headers.RetryAfter?.ToString());
        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task Only_a_paused_version_can_be_resumed_and_weak_roles_and_strangers_are_refused()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var stranger = await app.SignUpAsync();
        var ready = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");
        var paused = await app.LaunchVersionAsync(admin.TenantId, "paused");

        var invalid = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(ready.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("invalid_transition", invalid.GetProperty("code").GetString());
        await (await app.Client(viewer.AccessToken).PostJsonAsync(Url(paused.VersionId), new { })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(stranger.AccessToken).PostJsonAsync(Url(paused.VersionId), new { })).ExpectAsync(HttpStatusCode.NotFound);
        var tooLong = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(paused.VersionId), new { reason = new string('r', 2001) }))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("$.reason", out _));

        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(ready.VersionId));
        Assert.Equal("paused", await app.VersionStatusAsync(paused.VersionId));
        Assert.Empty(app.Platform.CallsFor(paused.WorkflowId!));
    }
}
