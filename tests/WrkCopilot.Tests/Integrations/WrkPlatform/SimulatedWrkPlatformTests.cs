using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Integrations.WrkPlatform;

/// <summary>
/// The simulated WRK Platform (the default without a BaseUrl): the documented calls in memory, and signed run events delivered
/// over HTTP to the webhook URL (a WireMock server here, standing in for our webhook).
/// </summary>
public sealed class SimulatedWrkPlatformTests(SimulatorApp app) : IClassFixture<SimulatorApp>
{
    private const string RunEventsUrl = "/v1/admin/simulator/run-events";
    private static readonly CancellationToken Ct = CancellationToken.None;

    private void WebhookAccepts()
    {
        app.Webhook.Reset();
        app.Webhook.Given(Request.Create().WithPath(SimulatorApp.WebhookPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
    }

    private async Task<string> WorkflowAsync(bool active = false)
    {
        var created = await app.PlatformClient().CreateWorkflowAsync(
            new CreateWorkflow(Guid.CreateVersion7().ToString(), "tenant-a", "Lead sync v1.0", ArrangePlatform.Blueprint()), Ct);
        Assert.True(created.IsOk);
        if (active)
        {
            Assert.True((await app.PlatformClient().ActivateAsync(created.Value!.WorkflowId, Ct)).IsOk);
        }
        return created.Value!.WorkflowId;
    }

    [Fact]
    public async Task Without_a_base_url_the_platform_is_the_simulator_and_creating_twice_with_one_reference_gives_one_workflow()
    {
        var client = app.PlatformClient();
        Assert.IsType<SimulatedWrkPlatform>(client);
        var reference = Guid.CreateVersion7().ToString();

        var first = await client.CreateWorkflowAsync(new CreateWorkflow(reference, "tenant-a", "Lead sync v1.0", ArrangePlatform.Blueprint()), Ct);
        var second = await client.CreateWorkflowAsync(new CreateWorkflow(reference, "tenant-a", "Lead sync v1.0", ArrangePlatform.Blueprint()), Ct);
        var otherTenant = await client.CreateWorkflowAsync(new CreateWorkflow(reference, "tenant-b", "Lead sync v1.0", ArrangePlatform.Blueprint()), Ct);

        Assert.True(first.IsOk);
        Assert.Equal(first.Value, second.Value);
        Assert.Equal("inactive", first.Value!.Status);
        Assert.StartsWith(SimulatedWrkPlatform.UrlBase, first.Value.Url);
        Assert.Equal(PlatformOutcome.Rejected, otherTenant.Outcome);
        Assert.Equal(409, otherTenant.StatusCode);
        Assert.Equal("external_ref_conflict", otherTenant.ErrorCode);
    }

    [Fact]
    public async Task Updating_replaces_the_blueprint_and_activation_is_idempotent_both_ways()
    {
        var client = app.PlatformClient();
        var id = await WorkflowAsync();

        var updated = await client.UpdateWorkflowAsync(id, new UpdateWorkflow(ArrangePlatform.Blueprint("""{"schema_version":1,"summary":"v2","sections":[],"metadata":{}}""")), Ct);
        Assert.True(updated.IsOk);
        var definition = app.Simulator().Definition(id)!.Value;
        Assert.Equal(2, definition.Revision);
        Assert.Contains("\"v2\"", definition.Blueprint);

        Assert.Equal("active", (await client.ActivateAsync(id, Ct)).Value!.Status);
        Assert.Equal("active", (await client.ActivateAsync(id, Ct)).Value!.Status);
        Assert.Equal("inactive", (await client.DeactivateAsync(id, Ct)).Value!.Status);
        Assert.Equal("inactive", (await client.DeactivateAsync(id, Ct)).Value!.Status);
    }

    [Fact]
    public async Task Unknown_workflows_and_non_object_blueprints_are_refused_like_the_platform_would()
    {
        var client = app.PlatformClient();

        var unknown = await client.ActivateAsync("wf_missing", Ct);
        var badBlueprint = await client.CreateWorkflowAsync(new CreateWorkflow("x", "t", "n", ArrangePlatform.Blueprint("[1]")), Ct);

        Assert.Equal((PlatformOutcome.Rejected, 404, "workflow_not_found"), (unknown.Outcome, unknown.StatusCode, unknown.ErrorCode));
        Assert.Equal((PlatformOutcome.Rejected, 422, "invalid_blueprint"), (badBlueprint.Outcome, badBlueprint.StatusCode, badBlueprint.ErrorCode));
    }

    [Fact]
    public async Task The_operator_admin_plays_runs_and_each_reaches_the_webhook_correctly_signed()
    {
        WebhookAccepts();
        var id = await WorkflowAsync(active: true);
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = id, count = 5, failure_rate = 0.0 });
        var body = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal(id, body.GetProperty("workflow_id").GetString());
        Assert.Equal(5, body.GetProperty("sent").GetInt32());
        Assert.Equal(5, body.GetProperty("delivered").GetInt32());
        Assert.Equal(5, body.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, body.GetProperty("failed").GetInt32());
        var events = app.ReceivedRunEvents(app.Webhook);
        Assert.Equal(5, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(WebhookVerification.Valid, e.Verification);
            Assert.Equal(id, e.Body.GetProperty("workflow_id").GetString());
            Assert.Equal("succeeded", e.Body.GetProperty("status").GetString());
            Assert.True(e.Body.GetProperty("completed_at").GetDateTimeOffset() >= e.Body.GetProperty("started_at").GetDateTimeOffset());
            Assert.True(e.Body.GetProperty("cost").GetDecimal() > 0);
            Assert.False(e.Body.TryGetProperty("error_message", out _));
        });
        Assert.Equal(5, events.Select(e => e.Body.GetProperty("run_id").GetString()).Distinct().Count());
        Assert.Equal(5, app.Webhook.LogEntries.Select(e => e.RequestMessage.Headers!["webhook-id"].Single()).Distinct().Count());

        // The platform's usage export counts the runs it played.
        var usage = await app.PlatformClient().UsageSummaryAsync(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1),
            DateOnly.FromDateTime(DateTime.UtcNow), null, Ct);
        var rows = usage.Value!.Items.Where(r => r.WorkflowId == id).ToList();
        Assert.Equal(5, rows.Sum(r => r.RunCount));
        Assert.Equal(5, rows.Sum(r => r.SuccessCount));
        Assert.Equal(events.Sum(e => e.Body.GetProperty("cost").GetDecimal()), rows.Sum(r => r.Cost));
    }

    [Fact]
    public async Task Failed_runs_carry_an_error_message_and_a_webhook_that_refuses_is_counted_as_undelivered()
    {
        app.Webhook.Reset();
        app.Webhook.Given(Request.Create().WithPath(SimulatorApp.WebhookPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(401));
        var id = await WorkflowAsync(active: true);
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = id, count = 3, failure_rate = 1.0 });
        var body = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal(0, body.GetProperty("delivered").GetInt32());
        Assert.Equal(3, body.GetProperty("failed").GetInt32());
        Assert.All(app.ReceivedRunEvents(app.Webhook), e =>
        {
            Assert.Equal("failed", e.Body.GetProperty("status").GetString());
            Assert.StartsWith("Simulated failure", e.Body.GetProperty("error_message").GetString());
        });
    }

    [Fact]
    public async Task A_simulator_workflow_from_before_a_restart_is_adopted_not_refused()
    {
        var client = app.PlatformClient();

        var adopted = await client.ActivateAsync("wf_sim_0123456789abcdef", Ct);

        Assert.Equal((PlatformOutcome.Ok, "active"), (adopted.Outcome, adopted.Value!.Status));
    }

    [Fact]
    public async Task An_unknown_workflow_is_404()
    {
        WebhookAccepts();
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = "wf_nope", count = 1 });

        Assert.Equal("not_found", (await res.ExpectAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.Empty(app.Webhook.LogEntries);
    }

    [Theory]
    [InlineData("ops_admin")]
    [InlineData("cs_admin")]
    public async Task Staff_below_operator_admin_may_not_play_runs(string role)
    {
        WebhookAccepts();
        var id = await WorkflowAsync(active: true);
        var staff = await app.StaffAsync(role);

        var res = await app.Client(staff.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = id, count = 1 });

        await res.ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Empty(app.Webhook.LogEntries);
    }

    [Fact]
    public async Task A_client_admin_may_not_play_runs_even_of_their_own_workflow()
    {
        WebhookAccepts();
        var id = await WorkflowAsync(active: true);
        var admin = await app.SignUpAsync();

        var res = await app.Client(admin.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = id, count = 1 });

        await res.ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Empty(app.Webhook.LogEntries);
    }

    [Theory]
    [InlineData(0, null, "$.count")]
    [InlineData(1001, null, "$.count")]
    [InlineData(null, null, "$.count")]
    [InlineData(1, 1.5, "$.failure_rate")]
    [InlineData(1, -0.1, "$.failure_rate")]
    public async Task Bad_input_is_400_naming_the_field(int? count, double? failureRate, string path)
    {
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync(RunEventsUrl, new { workflow_id = "wf_1", count, failure_rate = failureRate });

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains(path, body.GetRawText());
    }

    [Fact]
    public async Task A_missing_workflow_id_is_400_naming_it()
    {
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync(RunEventsUrl, new { count = 1 });

        Assert.Contains("$.workflow_id", (await res.ExpectAsync(HttpStatusCode.BadRequest)).GetRawText());
    }

    [Fact]
    public async Task The_schedule_plays_one_run_for_each_active_workflow_and_none_for_inactive_ones()
    {
        WebhookAccepts();
        // Workflows left active by earlier tests of this class play too: count only these two.
        var active = await WorkflowAsync(active: true);
        var inactive = await WorkflowAsync();
        var schedule = app.Services.GetServices<IHostedService>().OfType<SimulatorRunSchedule>().Single();

        await schedule.TickAsync(Ct);

        var events = app.ReceivedRunEvents(app.Webhook);
        Assert.Single(events, e => e.Body.GetProperty("workflow_id").GetString() == active);
        Assert.DoesNotContain(events, e => e.Body.GetProperty("workflow_id").GetString() == inactive);
        Assert.All(events, e => Assert.Equal(WebhookVerification.Valid, e.Verification));
    }
}

/// <summary>The simulator with its schedule on (600 runs a minute, every 100 ms).</summary>
public sealed class ScheduledSimulatorApp : SimulatorApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        .. base.Settings(),
        new("WrkPlatform:Simulator:RunsPerMinute", "600"),
        new("WrkPlatform:Simulator:FailureRate", "0"),
    ];
}

public sealed class SimulatorScheduleTests(ScheduledSimulatorApp app) : IClassFixture<ScheduledSimulatorApp>
{
    [Fact]
    public async Task With_runs_per_minute_set_an_active_workflow_gets_runs_without_anyone_asking()
    {
        app.Webhook.Given(Request.Create().WithPath(SimulatorApp.WebhookPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        var created = await app.PlatformClient().CreateWorkflowAsync(
            new CreateWorkflow(Guid.CreateVersion7().ToString(), "t", "n", ArrangePlatform.Blueprint()), CancellationToken.None);
        await app.PlatformClient().ActivateAsync(created.Value!.WorkflowId, CancellationToken.None);

        // Polls for the outcome (bounded), asserting what arrived rather than when.
        for (var i = 0; i < 200 && app.Webhook.LogEntries.Count() < 2; i++)
        {
            await Task.Delay(50);
        }

        var events = app.ReceivedRunEvents(app.Webhook);
        Assert.True(events.Count >= 2, $"{events.Count} run events arrived");
        Assert.All(events, e =>
        {
            Assert.Equal(created.Value.WorkflowId, e.Body.GetProperty("workflow_id").GetString());
            Assert.Equal("succeeded", e.Body.GetProperty("status").GetString());
            Assert.Equal(WebhookVerification.Valid, e.Verification);
        });
    }
}

/// <summary>Against a real platform, the simulator's endpoint does not exist.</summary>
public sealed class SimulatorOffTests(WrkPlatformHttpApp app) : IClassFixture<WrkPlatformHttpApp>
{
    [Fact]
    public async Task The_run_events_endpoint_is_404_outside_simulated_mode()
    {
        var op = await app.OperatorAdminAsync();

        var res = await app.Client(op.AccessToken).PostJsonAsync("/v1/admin/simulator/run-events", new { workflow_id = "wf_1", count = 1 });

        await res.ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty(app.Platform.LogEntries);
    }
}
