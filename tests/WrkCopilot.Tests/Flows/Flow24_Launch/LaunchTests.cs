using System.Net;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow24_Launch;

public sealed class LaunchTests(PlatformApp app) : IClassFixture<PlatformApp>
{
    private static string Url(Guid id) => $"/v1/automation-versions/{id}/launch";

    private FakeWrkPlatform Platform => app.Platform;

    [Fact]
    public async Task A_client_admin_launches_the_workflow_goes_live_and_the_previous_live_version_is_archived_and_turned_off()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var oldTask = await app.CollabTaskAsync(admin.TenantId, "automation_version", old.VersionId);
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { reason = "Go" })).ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal("live", data.GetProperty("status").GetString());
        Assert.Equal(2, data.GetProperty("row_version").GetInt64());
        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("live", await app.ScalarAsync<string>("SELECT status FROM projects WHERE id = @p", ("p", next.ProjectId)));
        Assert.Equal("active", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("active", Platform.StateOf(next.WorkflowId!));

        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("archived", await app.ScalarAsync<string>("SELECT status FROM projects WHERE id = @p", ("p", old.ProjectId)));
        Assert.Equal("inactive", await app.BindingStatusAsync(old.VersionId));
        Assert.Equal("inactive", Platform.StateOf(old.WorkflowId!));
        Assert.Equal("cancelled", await app.ScalarAsync<string>("SELECT status FROM tasks WHERE id = @id", ("id", oldTask)));

        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND user_id = @u
              AND metadata_json->>'from' = 'ready_to_launch' AND metadata_json->>'to' = 'live' AND metadata_json->>'reason' = 'Go'
            """, ("v", next.VersionId), ("u", admin.UserId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @v AND user_id = @u
              AND metadata_json->>'from' = 'live' AND metadata_json->>'to' = 'archived' AND metadata_json->>'caused_by' = 'T8'
            """, ("v", old.VersionId), ("u", admin.UserId)));
    }

    [Fact]
    public async Task A_version_blocked_while_paused_is_replaced_too_and_other_versions_are_left_alone()
    {
        var admin = await app.SignUpAsync();
        var blocked = await app.LaunchVersionAsync(admin.TenantId, "blocked", statusBeforeBlocked: "paused", bindingStatus: "inactive");
        var archived = await app.LaunchVersionAsync(admin.TenantId, "archived", blocked.AutomationId, minor: 1);
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", blocked.AutomationId, minor: 2);
        var elsewhere = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");

        await (await app.Client(admin.AccessToken).PostAsync(Url(next.VersionId), null)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("archived", await app.VersionStatusAsync(blocked.VersionId));
        Assert.Equal(["deactivate"], Platform.CallsFor(blocked.WorkflowId!));
        Assert.Equal(1, await app.TransitionAuditsAsync(blocked.VersionId));
        Assert.Empty(Platform.CallsFor(archived.WorkflowId!));
        Assert.Equal(0, await app.TransitionAuditsAsync(archived.VersionId));
        Assert.Equal("live", await app.VersionStatusAsync(elsewhere.VersionId));
        Assert.Empty(Platform.CallsFor(elsewhere.WorkflowId!));
    }

    [Fact]
    public async Task Staff_launch_a_clients_version_in_the_clients_tenant()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);

        await (await app.Client(ops.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal(2, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND tenant_id = @t AND user_id = @u",
            ("t", admin.TenantId), ("u", ops.UserId)));
    }

    [Fact]
    public async Task When_the_platform_is_down_the_answer_is_503_with_Retry_After_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);
        Platform.Fail(next.WorkflowId!, "activate", PlatformResult<PlatformWorkflow>.Unavailable("timeout", retryAfter: TimeSpan.FromSeconds(17)));

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { });
        var body = await res.ExpectAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("platform_unavailable", body.GetProperty("code").GetString());
        Assert.Equal("17", res.Headers.RetryAfter?.ToString());
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("live", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(old.VersionId));
        Assert.Empty(Platform.CallsFor(old.WorkflowId!));
        Assert.Equal(0, await app.TransitionAuditsAsync(next.VersionId));

        Platform.Heal(next.WorkflowId!);
        await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
    }

    [Fact]
    public async Task When_turning_off_the_old_workflow_fails_the_new_one_is_turned_off_again_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);
        Platform.Fail(old.WorkflowId!, "deactivate", PlatformResult<PlatformWorkflow>.Unavailable("502 from the platform", 502));

        var res = await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { });

        await res.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("30", res.Headers.RetryAfter?.ToString());
        Assert.Equal(["activate", "deactivate"], Platform.CallsFor(next.WorkflowId!));
        Assert.Equal("inactive", Platform.StateOf(next.WorkflowId!));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("live", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(old.VersionId));
        Platform.Heal(old.WorkflowId!);
    }

    [Fact]
    public async Task When_the_platform_refuses_the_answer_is_409_with_its_reason_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");
        Platform.Fail(next.WorkflowId!, "activate", PlatformResult<PlatformWorkflow>.Rejected(422, "workflow_invalid", "Step st_1 has no connection."));

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("platform_rejected", body.GetProperty("code").GetString());
        Assert.Contains("Step st_1 has no connection.", body.GetProperty("detail").GetString());
        Assert.Equal("workflow_invalid", body.GetProperty("platform_code").GetString());
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal(0, await app.TransitionAuditsAsync(next.VersionId));
    }

    [Fact]
    public async Task A_version_changed_while_the_platform_was_called_is_a_409_and_a_retry_converges()
    {
        var admin = await app.SignUpAsync();
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");
        Platform.During(next.WorkflowId!, () => app.ExecuteAsync(
            "UPDATE automation_versions SET row_version = row_version + 1, notes = 'edited meanwhile' WHERE id = @id", ("id", next.VersionId)));
        using var client = app.Client(admin.AccessToken);

        var lost = await (await client.PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("concurrency_conflict", lost.GetProperty("code").GetString());
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("inactive", Platform.StateOf(next.WorkflowId!));

        var retried = await (await client.PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("live", retried.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("active", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("active", Platform.StateOf(next.WorkflowId!));
        Assert.Equal(["activate", "deactivate", "activate"], Platform.CallsFor(next.WorkflowId!));
        Assert.Equal(1, await app.TransitionAuditsAsync(next.VersionId));
    }

    [Fact]
    public async Task A_version_blocked_while_the_platform_was_called_is_a_409_and_its_workflow_is_turned_off_again()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);
        Platform.SetState(old.WorkflowId!, "active");
        Platform.During(next.WorkflowId!, () => app.ExecuteAsync("""
            UPDATE automation_versions SET status = 'blocked', status_before_blocked = 'ready_to_launch', blocked_reason = 'Credentials revoked',
              row_version = row_version + 1 WHERE id = @id
            """, ("id", next.VersionId)));

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("concurrency_conflict", body.GetProperty("code").GetString());
        Assert.Equal("blocked", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("inactive", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("inactive", Platform.StateOf(next.WorkflowId!));
        Assert.Equal("live", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("active", Platform.StateOf(old.WorkflowId!));
    }

    [Fact]
    public async Task Two_versions_of_one_automation_launched_at_once_leave_one_live_version_and_one_active_workflow()
    {
        var admin = await app.SignUpAsync();
        var first = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");
        var second = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", first.AutomationId, minor: 1);
        using var client = app.Client(admin.AccessToken);
        HttpResponseMessage? late = null;
        // The second launch arrives while the first is calling the platform: the first holds the automation's platform-operation
        // lease (ADR 0017), so the second is refused at once and calls nothing.
        Platform.During(first.WorkflowId!, async () => late = await client.PostJsonAsync(Url(second.VersionId), new { }));

        await (await client.PostJsonAsync(Url(first.VersionId), new { })).ExpectAsync(HttpStatusCode.OK);

        var lost = await late!.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("concurrency_conflict", lost.GetProperty("code").GetString());
        Assert.Equal("live", await app.VersionStatusAsync(first.VersionId));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(second.VersionId));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automation_versions WHERE automation_id = @a AND status = 'live'",
            ("a", first.AutomationId)));
        Assert.Equal("active", Platform.StateOf(first.WorkflowId!));
        Assert.Empty(Platform.CallsFor(second.WorkflowId!));
        Assert.Equal("inactive", await app.BindingStatusAsync(second.VersionId));
    }

    [Fact]
    public async Task A_client_that_goes_away_after_the_platform_was_called_still_gets_its_launch_recorded()
    {
        var admin = await app.SignUpAsync();
        var old = await app.LaunchVersionAsync(admin.TenantId, "live", bindingStatus: "active");
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", old.AutomationId, minor: 1);
        Platform.SetState(old.WorkflowId!, "active");
        using var gone = new CancellationTokenSource();
        Platform.During(next.WorkflowId!, () =>
        {
            gone.Cancel();
            return Task.CompletedTask;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            app.Client(admin.AccessToken).PostAsync(Url(next.VersionId), null, gone.Token));
        for (var i = 0; i < 200 && await app.VersionStatusAsync(next.VersionId) != "live"; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal("live", await app.VersionStatusAsync(next.VersionId));
        Assert.Equal("active", await app.BindingStatusAsync(next.VersionId));
        Assert.Equal("active", Platform.StateOf(next.WorkflowId!));
        Assert.Equal("archived", await app.VersionStatusAsync(old.VersionId));
        Assert.Equal("inactive", Platform.StateOf(old.WorkflowId!));
    }

    [Fact]
    public async Task Without_a_signed_quote_the_guard_fails_and_the_platform_is_not_called()
    {
        var admin = await app.SignUpAsync();
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", signedQuote: false);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("quote_signed", body.GetProperty("guard").GetString());
        Assert.Empty(Platform.CallsFor(next.WorkflowId!));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
    }

    [Fact]
    public async Task Without_a_workflow_binding_the_guard_fails()
    {
        var admin = await app.SignUpAsync();
        var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", bindingStatus: null);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(next.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("binding_exists", body.GetProperty("guard").GetString());
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(next.VersionId));
    }

    [Theory]
    [InlineData("paused")]
    [InlineData("qa_testing")]
    [InlineData("live")]
    public async Task Only_a_version_ready_to_launch_can_be_launched(string status)
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, status);

        var body = await (await app.Client(admin.AccessToken).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_transition", body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("current_status").GetString());
        Assert.Empty(Platform.CallsFor(v.WorkflowId!));
        Assert.Equal(status, await app.VersionStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task Members_viewers_cs_admins_and_api_keys_may_not_launch()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var cs = await app.StaffAsync("cs_admin");
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var v = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");

        foreach (var bearer in new[] { member.AccessToken, viewer.AccessToken, cs.AccessToken, key })
        {
            await (await app.Client(bearer).PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Empty(Platform.CallsFor(v.WorkflowId!));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task Another_tenants_version_is_404_and_nothing_leaks()
    {
        var owner = await app.SignUpAsync();
        var stranger = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(owner.TenantId, "ready_to_launch");

        var res = await app.Client(stranger.AccessToken).PostJsonAsync(Url(v.VersionId), new { });
        var text = await res.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain("ready_to_launch", text);
        Assert.DoesNotContain(owner.TenantId.ToString(), text);
        Assert.Empty(Platform.CallsFor(v.WorkflowId!));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(v.VersionId));
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_a_too_long_reason_is_400()
    {
        var admin = await app.SignUpAsync();
        var v = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");
        using var client = app.Client(admin.AccessToken);

        var tooLong = await (await client.PostJsonAsync(Url(v.VersionId), new { reason = new string('r', 2001) })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("$.reason", out _));

        client.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", "\"999\"");
        await (await client.PostJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.PreconditionFailed);

        Assert.Empty(Platform.CallsFor(v.WorkflowId!));
        Assert.Equal("ready_to_launch", await app.VersionStatusAsync(v.VersionId));
    }
}
