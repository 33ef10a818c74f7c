using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow13_StatusRouter;

/// <summary>The generic endpoints reach T8-T10 and T13 through the same platform path as Flows 24, 24A, 24B and 35.</summary>
public sealed class PlatformStatusTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private static string VersionUrl(Guid id) => $"/v1/automation-versions/{id}/status";

    [Fact]
    public async Task Setting_live_through_the_generic_endpoint_launches_on_the_platform_and_archives_the_previous_version()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);

        var body = await (await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(next.VersionId), new { status = "live" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(["activate"], app.Platform.CallsFor(next.WorkflowId!));
        Assert.Equal("active", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal(["deactivate"], app.Platform.CallsFor(old.WorkflowId!));
        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(old.VersionId));
    }

    [Fact]
    public async Task Staff_pause_and_resume_a_project_through_the_admin_endpoint()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        using var staff = app.Client(ops.AccessToken);

        await (await staff.PatchJsonAsync($"/v1/admin/projects/{v.ProjectId}/status", new { status = "paused" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("paused", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(v.VersionId));

        var resumed = await (await staff.PatchJsonAsync($"/v1/admin/projects/{v.ProjectId}/status", new { status = "live" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(v.ProjectId, resumed.GetProperty("data").GetProperty("project_id").GetGuid());
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal(["deactivate", "activate"], app.Platform.CallsFor(v.WorkflowId!));
    }

    [Fact]
    public async Task Archiving_a_live_version_through_the_generic_endpoint_turns_its_workflow_off()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var todo = await app.CollabTaskAsync(admin.TenantId, "automation_version", v.VersionId);

        await (await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal("inactive", app.Platform.StateOf(v.WorkflowId!));
        Assert.Equal("cancelled", await app.ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", ("id", todo)));
    }

    [Fact]
    public async Task A_platform_outage_on_the_generic_endpoint_is_503_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        app.Platform.Fail(v.WorkflowId!, "deactivate", PlatformResult<PlatformWorkflow>.Unavailable("timeout"));

        var res = await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" });

        var body = await res.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("platform_unavailable", body.GetProperty("code").GetString());
        Assert.Equal("30", res.Headers.RetryAfter?.ToString());
        Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(v.VersionId));
        Assert.Equal(0, await app.TransitionAuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_transition_that_does_not_need_the_platform_never_calls_it()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "paused", bindingStatus: "inactive");

        await (await app.Client(admin.AccessToken).PatchJsonAsync(VersionUrl(v.VersionId), new { status = "archived" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", await app.VersionStatusAsync(v.VersionId));
        Assert.Empty(app.Platform.CallsFor(v.WorkflowId!));
    }

    [Theory]
    [InlineData("ready_to_launch", "live")]
    [InlineData("live", "paused")]
    [InlineData("paused", "live")]
    [InlineData("live", "archived")]
    public async Task The_kernel_refuses_a_platform_transition_whose_call_was_not_made(string from, string to)
    {
        // A path that reaches the kernel directly (not through PlatformTransitions) must not record a platform outcome
        // that never happened: the effect refuses and nothing is saved.
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, from, bindingStatus: from == "live" ? "active" : "inactive");
        var bindingBefore = await app.BindingStatusAsync(v.VersionId);
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        var lifecycle = sp.GetRequiredService<LifecycleTransitionHandler>();
        var actor = new LifecycleActor([AppRoles.ClientAdmin], false, admin.UserId);

        var result = await db.InTenantAsync(admin.TenantId, async () =>
        {
            var version = await db.AutomationVersions.SingleAsync(x => x.Id == v.VersionId);
            return await lifecycle.ApplyAsync(version, new TransitionRequest(to, actor, null), CancellationToken.None);
        }, CancellationToken.None);

        Assert.True(result.IsError);
        Assert.Equal("transition_unavailable", result.FirstError.Code);
        Assert.Equal(from, await app.VersionStatusAsync(v.VersionId));
        Assert.Equal(bindingBefore, await app.BindingStatusAsync(v.VersionId));
        Assert.Equal(0, await app.TransitionAuditsAsync(v.VersionId));
    }
}
