using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow26_BlockUnblock;

public sealed class BlockUnblockTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string BlockUrl(Guid id) => $"/v1/automation-versions/{id}/block";

    private static string UnblockUrl(Guid id) => $"/v1/automation-versions/{id}/unblock";

    private Task<string> StatusOfAsync(Guid versionId) =>
        app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId));

    private Task<long> NotificationsAsync(Guid tenantId, string eventType, string audience) => app.CountAsync("""
        SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = @e
          AND payload->'audience'->>'kind' = @a
        """, ("t", tenantId), ("e", eventType), ("a", audience));

    [Fact]
    public async Task Ops_blocks_a_version_the_reason_is_kept_staff_get_a_task_and_both_sides_are_notified()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "Waiting on the client's VPN access" }))
            .ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("blocked", data.GetProperty("status").GetString());
        Assert.Equal("qa_testing", data.GetProperty("status_before_blocked").GetString());
        Assert.Equal("Waiting on the client's VPN access", data.GetProperty("blocked_reason").GetString());
        Assert.Equal("blocked", await StatusOfAsync(v.VersionId));
        Assert.Equal("blocked", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM tasks WHERE tenant_id = @t AND context_type = 'automation_version' AND context_id = @v
              AND kind = 'general_todo' AND visibility = 'staff' AND created_by_id = @u
            """, ("t", admin.TenantId), ("v", v.VersionId), ("u", ops.UserId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_type = 'automation_version'
              AND resource_id = @v AND tenant_id = @t AND user_id = @u AND metadata_json->>'transition' = 'T11'
              AND metadata_json->>'to' = 'blocked' AND metadata_json->>'reason' = 'Waiting on the client''s VPN access'
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", ops.UserId)));
        Assert.Equal(1, await NotificationsAsync(admin.TenantId, "automation_version.blocked", "tenant_admins"));
        Assert.Equal(1, await NotificationsAsync(admin.TenantId, "automation_version.blocked", "staff"));
        // The staff member who blocked is not told what they just did.
        Assert.Equal(ops.UserId.ToString(), await app.ScalarAsync(
            "SELECT payload->'audience'->>'except_user_id' FROM outbox WHERE tenant_id = @t AND payload->'audience'->>'kind' = 'staff'",
            ("t", admin.TenantId)));

        await app.DeliverOutboxAsync();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t AND user_id = @u AND channel = 'in_app' AND title LIKE '%is blocked'",
            ("t", admin.TenantId), ("u", admin.UserId)));
    }

    [Fact]
    public async Task A_credentials_block_raises_a_credentials_issue_task()
    {
        var staff = await app.OperatorAdminAsync();
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "live");

        var body = await (await app.Client(staff.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "Salesforce token revoked", kind = "credentials" }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", body.GetProperty("data").GetProperty("status_before_blocked").GetString());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE tenant_id = @t AND context_id = @v AND kind = 'credentials_issue'", ("t", admin.TenantId), ("v", v.VersionId)));
        Assert.Equal("credentials", await app.ScalarAsync(
            "SELECT payload->'data'->>'kind' FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'automation_version.blocked' LIMIT 1",
            ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public async Task Blocking_without_a_reason_is_400_naming_reason(string? reason)
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "build_in_progress");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.reason", out _), body.ToString());
        Assert.Equal("build_in_progress", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task An_unknown_kind_a_long_reason_and_unknown_fields_are_400_naming_the_path()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "build_in_progress");
        using var client = app.Client(ops.AccessToken);

        var kind = await (await client.PostJsonAsync(BlockUrl(v.VersionId), new { reason = "r", kind = "billing" })).ExpectAsync(HttpStatusCode.BadRequest);
        var tooLong = await (await client.PostJsonAsync(BlockUrl(v.VersionId), new { reason = new string('r', 2001) })).ExpectAsync(HttpStatusCode.BadRequest);
        var unknown = await (await client.PostJsonAsync(BlockUrl(v.VersionId), new { reason = "r", status_before_blocked = "live" }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(kind.GetProperty("errors").TryGetProperty("$.kind", out _), kind.ToString());
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("$.reason", out _), tooLong.ToString());
        Assert.True(unknown.GetProperty("errors").TryGetProperty("$.status_before_blocked", out _), unknown.ToString());
        Assert.Equal("build_in_progress", await StatusOfAsync(v.VersionId));
    }

    [Theory]
    [InlineData("blocked")]
    [InlineData("archived")]
    public async Task A_blocked_or_archived_version_cannot_be_blocked(string status)
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, status, statusBeforeBlocked: status == "blocked" ? "qa_testing" : null);

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "again" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("current_status").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Unblocking_returns_the_version_to_where_it_was_and_tells_both_sides()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "qa_testing");
        using var client = app.Client(ops.AccessToken);
        await (await client.PostJsonAsync(BlockUrl(v.VersionId), new { reason = "Waiting on access" })).ExpectAsync(HttpStatusCode.OK);

        var body = await (await client.PostJsonAsync(UnblockUrl(v.VersionId), new { reason = "Access granted" })).ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("qa_testing", data.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("status_before_blocked").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("blocked_reason").ValueKind);
        Assert.Equal("qa_testing", await StatusOfAsync(v.VersionId));
        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND tenant_id = @t AND user_id = @u
              AND metadata_json->>'transition' = 'T12' AND metadata_json->>'from' = 'blocked' AND metadata_json->>'to' = 'qa_testing'
              AND metadata_json->>'reason' = 'Access granted'
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", ops.UserId)));
        Assert.Equal(1, await NotificationsAsync(admin.TenantId, "automation_version.unblocked", "tenant_admins"));
        Assert.Equal(1, await NotificationsAsync(admin.TenantId, "automation_version.unblocked", "staff"));
        // Not back into a build: no build request.
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Unblocking_back_into_a_build_requests_the_build_again()
    {
        var staff = await app.OperatorAdminAsync();
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "blocked", statusBeforeBlocked: "build_in_progress");

        var body = await (await app.Client(staff.AccessToken).PostJsonAsync(UnblockUrl(v.VersionId), new { }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("build_in_progress", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'build-requests' AND type = 'build_requested'
              AND payload->>'automation_version_id' = @v AND payload->>'reason' = 'unblocked'
            """, ("t", admin.TenantId), ("v", v.VersionId.ToString())));
    }

    [Fact]
    public async Task Unblocking_a_version_that_is_not_blocked_is_409_invalid_transition()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await app.VersionAsync(admin.TenantId, "live");

        var body = await (await app.Client(ops.AccessToken).PostJsonAsync(UnblockUrl(v.VersionId), new { }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal("live", body.GetProperty("current_status").GetString());
        Assert.Equal("live", await StatusOfAsync(v.VersionId));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("member")]
    public async Task Clients_may_neither_block_nor_unblock(string role)
    {
        var admin = await app.SignUpAsync();
        var caller = role == "admin" ? admin : await app.AddMemberAsync(admin.TenantId, [role]);
        var live = await app.VersionAsync(admin.TenantId, "live");
        var blocked = await app.VersionAsync(admin.TenantId, "blocked", statusBeforeBlocked: "live");
        using var client = app.Client(caller.AccessToken);

        var block = await (await client.PostJsonAsync(BlockUrl(live.VersionId), new { reason = "r" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await client.PostJsonAsync(UnblockUrl(blocked.VersionId), new { })).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("forbidden", block.GetProperty("code").GetString());
        Assert.Equal("live", await StatusOfAsync(live.VersionId));
        Assert.Equal("blocked", await StatusOfAsync(blocked.VersionId));
    }

    [Fact]
    public async Task An_API_key_and_a_cs_admin_may_not_block()
    {
        var cs = await app.StaffAsync("cs_admin");
        var admin = await app.SignUpAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var v = await app.VersionAsync(admin.TenantId, "live");

        await (await app.Client(key).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "r" })).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(cs.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "r" })).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("live", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_client_of_another_tenant_learns_nothing_and_an_unknown_version_is_404()
    {
        var ops = await app.StaffAsync("ops_admin");
        var owner = await app.SignUpAsync(workspace: "Owner Co");
        var stranger = await app.SignUpAsync(workspace: "Stranger Co");
        var v = await app.VersionAsync(owner.TenantId, "live");

        var foreign = await app.Client(stranger.AccessToken).PostJsonAsync(BlockUrl(v.VersionId), new { reason = "r" });
        var text = await foreign.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.DoesNotContain(v.AutomationId.ToString(), text);
        Assert.DoesNotContain(owner.TenantId.ToString(), text);
        await (await app.Client(ops.AccessToken).PostJsonAsync(BlockUrl(Guid.CreateVersion7()), new { reason = "r" })).ExpectAsync(HttpStatusCode.NotFound);
        await (await app.Client(ops.AccessToken).PostJsonAsync(UnblockUrl(Guid.CreateVersion7()), new { })).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("live", await StatusOfAsync(v.VersionId));
    }

    [Fact]
    public async Task A_worker_that_blocks_notifies_the_client_admins_and_all_staff()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, "build_in_progress");

        await using (var scope = app.Scope())
        {
            var sp = scope.ServiceProvider;
            sp.GetRequiredService<TenantContext>().Set(tenant);
            var db = sp.GetRequiredService<AppDbContext>();
            var lifecycle = sp.GetRequiredService<LifecycleTransitionHandler>();
            var result = await UnitOfWork.RunAsync(db, async () =>
            {
                var version = await db.AutomationVersions.SingleAsync(x => x.Id == v.VersionId);
                return await lifecycle.ApplyAsync(version, new TransitionRequest("blocked", LifecycleActor.System, "WRK Platform answered 422"),
                    CancellationToken.None);
            }, CancellationToken.None);
            Assert.False(result.IsError);
        }

        Assert.Equal(1, await NotificationsAsync(tenant, "automation_version.blocked", "tenant_admins"));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'automation_version.blocked'
              AND payload->'audience'->>'kind' = 'staff' AND payload->'audience'->>'except_user_id' IS NULL
              AND payload->>'body' = 'WRK Platform answered 422'
            """, ("t", tenant)));
    }
}
