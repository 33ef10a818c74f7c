using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow29_RunsAndUsage;

public sealed class RunsAndUsageTests(RunEventsApp app) : IClassFixture<RunEventsApp>
{
    private static string ErrorPaths(JsonElement body) => string.Join(",", body.GetProperty("errors").EnumerateObject().Select(p => p.Name));

    /// <summary>A workspace admin with a live version that has three runs (two succeeded, one failed), aggregated.</summary>
    private async Task<(Caller Admin, RunWorkflow Wf)> WorkspaceWithRunsAsync()
    {
        var admin = await app.WorkspaceAdminAsync();
        var wf = await app.InsertWorkflowAsync(admin.TenantId);
        var start = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", start, 1.25m));
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-2", "failed", start.AddHours(1), 0.5m, "boom"));
        await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-3", "succeeded", start.AddDays(1), 2m));
        await app.DrainUsageAsync();
        return (admin, wf);
    }

    [Fact]
    public async Task A_member_reads_the_binding_the_runs_and_the_usage_of_a_version()
    {
        var (admin, wf) = await WorkspaceWithRunsAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var client = app.Client(viewer.AccessToken);

        var binding = (await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/workflow-binding")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(wf.WorkflowId, binding.GetProperty("wrk_workflow_id").GetString());
        Assert.Equal("active", binding.GetProperty("status").GetString());

        var runs = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs?limit=2")).ExpectAsync(HttpStatusCode.OK);
        var page = runs.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["run-3", "run-2"], page.Select(r => r.GetProperty("run_id").GetString()));
        Assert.Equal("0.5000", page[1].GetProperty("cost").GetString());
        Assert.Equal("boom", page[1].GetProperty("error_message").GetString());
        var cursor = runs.GetProperty("meta").GetProperty("next_cursor").GetString();
        var rest = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs?limit=2&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("run-1", Assert.Single(rest.GetProperty("data").EnumerateArray()).GetProperty("run_id").GetString());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("meta").GetProperty("next_cursor").ValueKind);

        var failed = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs?status=failed")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("run-2", Assert.Single(failed.GetProperty("data").EnumerateArray()).GetProperty("run_id").GetString());
        var window = await (await client.GetAsync(
            $"/v1/automation-versions/{wf.VersionId}/runs?from=2026-11-02T08:30:00Z&to=2026-11-03T00:00:00Z")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("run-2", Assert.Single(window.GetProperty("data").EnumerateArray()).GetProperty("run_id").GetString());

        var days = (await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/usage?granularity=day&from=2026-11-01&to=2026-11-30"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        var periods = days.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(2, periods.Count);
        Assert.Equal("2026-11-02", periods[0].GetProperty("period_start").GetString());
        Assert.Equal(2, periods[0].GetProperty("run_count").GetInt64());
        Assert.Equal(1, periods[0].GetProperty("failure_count").GetInt64());
        Assert.Equal("1.7500", periods[0].GetProperty("total_cost").GetString());

        var month = (await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/usage?granularity=month&from=2026-11-01&to=2026-11-30"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        var m = Assert.Single(month.GetProperty("periods").EnumerateArray());
        Assert.Equal("2026-11-30", m.GetProperty("period_end").GetString());
        Assert.Equal(3, m.GetProperty("run_count").GetInt64());
        Assert.Equal("3.7500", m.GetProperty("total_cost").GetString());
    }

    [Fact]
    public async Task Another_tenant_gets_404_for_the_binding_runs_usage_and_alerts_and_sees_none_of_them()
    {
        var (admin, wf) = await WorkspaceWithRunsAsync();
        await app.InsertAlertAsync(admin.TenantId);
        var stranger = app.Client((await app.WorkspaceAdminAsync("Other")).AccessToken);

        foreach (var path in new[] { "workflow-binding", "runs", "usage" })
        {
            var res = await stranger.GetAsync($"/v1/automation-versions/{wf.VersionId}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            Assert.DoesNotContain(wf.WorkflowId, await res.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var alertId = await app.ScalarAsync<Guid>("SELECT id FROM alerts WHERE tenant_id = @t", ("t", admin.TenantId));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostJsonAsync($"/v1/alerts/{alertId}/ack", new { })).StatusCode);
        var list = await (await stranger.GetAsync("/v1/alerts")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("data").EnumerateArray());
        Assert.Equal("open", await app.ScalarAsync<string>("SELECT status FROM alerts WHERE id = @id", ("id", alertId)));
    }

    [Fact]
    public async Task API_keys_read_runs_and_usage_with_the_right_permission_only_and_the_public_usage_is_for_keys_only()
    {
        var (admin, wf) = await WorkspaceWithRunsAsync();
        var usageKey = app.Client(await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["usage:read"]));
        var runsKey = app.Client(await app.ApiKeyAsync(admin.TenantId, admin.UserId, ["runs:read"]));

        Assert.Equal(HttpStatusCode.OK, (await usageKey.GetAsync($"/v1/automation-versions/{wf.VersionId}/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await usageKey.GetAsync($"/v1/public/automation-versions/{wf.VersionId}/usage?granularity=month&from=2026-11-01")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await usageKey.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await runsKey.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await runsKey.GetAsync($"/v1/public/automation-versions/{wf.VersionId}/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(admin.AccessToken).GetAsync($"/v1/public/automation-versions/{wf.VersionId}/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await usageKey.PutJsonAsync("/v1/alert-thresholds", new { monthly_budget = "1.00" })).StatusCode);
    }

    [Fact]
    public async Task Bad_filters_are_400_naming_the_parameter()
    {
        var (admin, wf) = await WorkspaceWithRunsAsync();
        var client = app.Client(admin.AccessToken);

        var status = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs?status=exploded")).ExpectAsync(HttpStatusCode.BadRequest);
        var granularity = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/usage?granularity=week")).ExpectAsync(HttpStatusCode.BadRequest);
        var range = await (await client.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs?from=2026-11-03T00:00:00Z&to=2026-11-01T00:00:00Z"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var alerts = await (await client.GetAsync("/v1/alerts?status=closed")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("$.status", ErrorPaths(status));
        Assert.Contains("$.granularity", ErrorPaths(granularity));
        Assert.Contains("$.to", ErrorPaths(range));
        Assert.Contains("$.status", ErrorPaths(alerts));
    }

    [Fact]
    public async Task A_version_without_a_binding_answers_404_for_its_binding()
    {
        var admin = await app.WorkspaceAdminAsync();
        var project = await app.OpsProjectAsync(admin.TenantId);

        var res = await app.Client(admin.AccessToken).GetAsync($"/v1/automation-versions/{project.VersionId}/workflow-binding");

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
    }

    [Fact]
    public async Task A_client_admin_sets_thresholds_that_every_member_can_read_and_a_field_left_out_turns_off()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);

        var put = (await (await app.Client(admin.AccessToken).PutJsonAsync("/v1/alert-thresholds",
            new { failure_rate_pct = 12.5, window_runs = 40, volume_pct_of_committed = 90, monthly_budget = "250.00" })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data");
        Assert.Equal(12.5m, put.GetProperty("failure_rate_pct").GetDecimal());
        Assert.Equal("250.00", put.GetProperty("monthly_budget").GetString());

        await (await app.Client(admin.AccessToken).PutJsonAsync("/v1/alert-thresholds", new { monthly_budget = "300.00" })).ExpectAsync(HttpStatusCode.OK);
        var read = (await (await app.Client(member.AccessToken).GetAsync("/v1/alert-thresholds")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("300.00", read.GetProperty("monthly_budget").GetString());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("failure_rate_pct").ValueKind);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM alert_thresholds WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_member_may_not_set_thresholds()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);

        var res = await app.Client(member.AccessToken).PutJsonAsync("/v1/alert-thresholds", new { monthly_budget = "1.00" });

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM alert_thresholds WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Out_of_range_thresholds_are_400_naming_each_field()
    {
        var admin = await app.WorkspaceAdminAsync();

        var res = await app.Client(admin.AccessToken).PutJsonAsync("/v1/alert-thresholds",
            new { failure_rate_pct = 120, window_runs = 0, volume_pct_of_committed = -5, monthly_budget = "12.345" });

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        var paths = ErrorPaths(body);
        foreach (var path in new[] { "$.failure_rate_pct", "$.window_runs", "$.volume_pct_of_committed", "$.monthly_budget" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public async Task A_member_acknowledges_an_alert_once_and_a_viewer_may_not()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        await app.InsertAlertAsync(admin.TenantId);
        var id = await app.ScalarAsync<Guid>("SELECT id FROM alerts WHERE tenant_id = @t", ("t", admin.TenantId));

        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(viewer.AccessToken).PostJsonAsync($"/v1/alerts/{id}/ack", new { })).StatusCode);
        var ack = (await (await app.Client(member.AccessToken).PostJsonAsync($"/v1/alerts/{id}/ack", new { })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        var again = (await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/alerts/{id}/ack", new { })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("acknowledged", ack.GetProperty("status").GetString());
        Assert.Equal(member.UserId, again.GetProperty("acknowledged_by_id").GetGuid());
        var open = await (await app.Client(viewer.AccessToken).GetAsync("/v1/alerts?status=open")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(open.GetProperty("data").EnumerateArray());
        var all = await (await app.Client(viewer.AccessToken).GetAsync("/v1/alerts")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(all.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Staff_sessions_are_refused_the_client_reads()
    {
        var (_, wf) = await WorkspaceWithRunsAsync();
        var staff = app.Client((await app.StaffAsync()).AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync($"/v1/automation-versions/{wf.VersionId}/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync("/v1/alerts")).StatusCode);
    }
}
