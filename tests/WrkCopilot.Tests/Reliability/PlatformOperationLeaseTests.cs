using System.Net;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Reliability;

/// <summary>
/// The platform-operation lease (ADR 0017): while one launch, pause, resume or archive of an automation's versions is between
/// its two transactions, another is refused at once with 409 <c>concurrency_conflict</c> and calls nothing; a failed call
/// releases the lease; a lease left by a holder that crashed expires and the next transition takes it.
/// </summary>
public sealed class PlatformOperationLeaseTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private static string Url(Guid versionId, string action) => $"/v1/automation-versions/{versionId}/{action}";

    private async Task<(Caller Admin, LaunchVersion Old, LaunchVersion Next)> LiveAndNextAsync()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        app.Platform.SetState(old.WorkflowId!, "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", automationId: old.AutomationId, minor: 1);
        return (admin, old, next);
    }

    private Task<int> LeaseAsync(Guid automationId, string until) => app.ExecuteAsync(
        $"UPDATE automations SET platform_op_id = @op, platform_op_until = {until} WHERE id = @a",
        ("op", Guid.NewGuid()), ("a", automationId));

    private Task<long> LeasesAsync(Guid automationId) =>
        app.CountAsync("SELECT count(*) FROM automations WHERE id = @a AND platform_op_id IS NOT NULL", ("a", automationId));

    [Fact]
    public async Task A_lease_left_by_a_crashed_holder_expires_and_the_next_launch_takes_it()
    {
        var (admin, old, next) = await LiveAndNextAsync();
        await LeaseAsync(old.AutomationId, "now() - interval '1 second'");

        await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId, "launch"), new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("active", app.Platform.StateOf(next.WorkflowId!));
        Assert.Equal("inactive", app.Platform.StateOf(old.WorkflowId!));
        Assert.Equal(0, await LeasesAsync(old.AutomationId));
    }

    [Fact]
    public async Task While_the_lease_is_held_a_pause_is_refused_at_once_and_calls_nothing()
    {
        var (admin, old, _) = await LiveAndNextAsync();
        await LeaseAsync(old.AutomationId, "now() + interval '1 hour'");

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(old.VersionId, "pause"), new { }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("concurrency_conflict", body.GetProperty("code").GetString());
        Assert.Empty(app.Platform.CallsFor(old.WorkflowId!));
        Assert.Equal("live", await app.VersionStatusAsync(old.VersionId));
    }

    [Fact]
    public async Task A_pause_while_a_launch_is_calling_the_platform_is_refused_and_the_launch_completes()
    {
        var (admin, old, next) = await LiveAndNextAsync();
        HttpResponseMessage? pause = null;
        app.Platform.During(next.WorkflowId!, async () =>
            pause = await app.Client(admin.AccessToken).PostJsonAsync(Url(old.VersionId, "pause"), new { }));

        await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId, "launch"), new { })).ExpectAsync(HttpStatusCode.OK);

        var refused = await pause!.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("concurrency_conflict", refused.GetProperty("code").GetString());
        Assert.Equal(["deactivate"], app.Platform.CallsFor(old.WorkflowId!));
        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal(0, await LeasesAsync(old.AutomationId));
    }

    [Fact]
    public async Task A_launch_whose_platform_call_failed_releases_the_lease_and_its_retry_succeeds()
    {
        var (admin, old, next) = await LiveAndNextAsync();
        app.Platform.Fail(next.WorkflowId!, "activate", PlatformResult<PlatformWorkflow>.Unavailable("connection refused"));

        await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId, "launch"), new { }))
            .ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, await LeasesAsync(old.AutomationId));
        app.Platform.Heal(next.WorkflowId!);

        await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId, "launch"), new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
    }

    [Fact]
    public void The_default_lease_outlasts_a_call_and_its_undo_and_a_shorter_one_stops_the_start()
    {
        var platform = Options.Create(new WrkPlatformOptions());
        Assert.True(LifecycleOptions.IsValid(new LifecycleOptions(), platform));
        Assert.False(LifecycleOptions.IsValid(new LifecycleOptions { PlatformOperationLease = platform.Value.LongestCall }, platform));
        Assert.False(LifecycleOptions.IsValid(new LifecycleOptions(),
            Options.Create(new WrkPlatformOptions { Timeout = TimeSpan.FromMinutes(1) })));
    }
}
