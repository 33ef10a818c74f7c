using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Builds;

public sealed class RequestBuildTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task A_failed_QA_requests_the_build_again_with_the_failure_notes()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        await (await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/automation-versions/{v.VersionId}/status",
            new { status = "build_in_progress", reason = "The HubSpot step drops the phone number." })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND type = 'build_requested' AND tenant_id = @t
              AND payload->>'automation_version_id' = @v AND payload->>'reason' = 'qa_failed'
              AND payload->>'notes' = 'The HubSpot step drops the phone number.'
            """, ("t", admin.TenantId), ("v", v.VersionId.ToString())));
    }

    [Fact]
    public async Task A_refused_transition_requests_no_build()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        // T7 needs failure notes: without them nothing is committed, the build request included.
        await (await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/automation-versions/{v.VersionId}/status",
            new { status = "build_in_progress" })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND tenant_id = @t", ("t", admin.TenantId)));
    }
}
