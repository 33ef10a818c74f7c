using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow27_RunEventWebhook;

public sealed class RunEventWebhookTests(FrozenClockApp app) : IClassFixture<FrozenClockApp>
{
    private static readonly TimeSpan Tolerance = WebhookSignatures.Tolerance;

    private async Task<RunWorkflow> WorkflowAsync() => await app.InsertWorkflowAsync(await app.InsertTenantAsync());

    private Task<long> RunsAsync(RunWorkflow wf) =>
        app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId));

    private Task<string?> StatusAsync(RunWorkflow wf, string runId) =>
        app.ScalarAsync<string>("SELECT status FROM run_events WHERE workflow_binding_id = @b AND run_id = @r", ("b", wf.BindingId), ("r", runId));

    private static string Ts(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static async Task<string> CodeAsync(HttpResponseMessage res) => (await res.ReadAsync()).GetProperty("code").GetString()!;

    [Fact]
    public async Task A_valid_signed_event_is_stored_in_the_bindings_tenant_and_answered_204()
    {
        var wf = await WorkflowAsync();

        var res = await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", app.Now.AddMinutes(-1), 0.25m));

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM run_events WHERE tenant_id = @t AND automation_version_id = @v AND run_id = 'run-1'
              AND status = 'succeeded' AND cost = 0.25 AND completed_at IS NOT NULL AND metadata_json->>'trigger' = 'schedule'
              AND webhook_id IS NOT NULL
            """, ("t", wf.TenantId), ("v", wf.VersionId)));
    }

    [Fact]
    public async Task A_bad_signature_is_401_and_nothing_is_stored()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));
        var bogus = "v1," + Convert.ToBase64String(new byte[32]);

        var res = await app.PostRawAsync(body, "msg_1", Ts(app.Now), bogus);

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal("bad_signature", await CodeAsync(res));
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task Missing_signature_headers_are_401()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_1", app.Now.ToUnixTimeSeconds(), body);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRawAsync(body, null, Ts(app.Now), signature)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.PostRawAsync(body, "msg_1", null, signature)).StatusCode);
        var noSignature = await app.PostRawAsync(body, "msg_1", Ts(app.Now), null);
        Assert.Equal(HttpStatusCode.Unauthorized, noSignature.StatusCode);
        Assert.Equal("missing_signature", await CodeAsync(noSignature));
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task A_one_byte_change_of_the_signed_body_is_401()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", app.Now.AddMinutes(-1), 1.5m));
        var ts = app.Now.ToUnixTimeSeconds();
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_1", ts, body);
        var tampered = (byte[])body.Clone();
        var at = Encoding.UTF8.GetString(tampered).IndexOf("1.5", StringComparison.Ordinal);
        tampered[at] = (byte)'9';

        var res = await app.PostRawAsync(tampered, "msg_1", Ts(app.Now), signature);

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task Re_serialised_JSON_with_the_same_content_but_other_bytes_is_401()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));
        var ts = app.Now.ToUnixTimeSeconds();
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_1", ts, body);
        var reserialised = JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(body).RootElement, new JsonSerializerOptions { WriteIndented = true });
        Assert.NotEqual(body, reserialised);

        var res = await app.PostRawAsync(reserialised, "msg_1", Ts(app.Now), signature);

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task A_signature_made_with_a_secret_that_is_not_configured_is_401()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));

        var res = await app.SendSignedAsync(body, secret: RunEventsApp.UnknownSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task A_timestamp_one_second_beyond_the_tolerance_either_way_is_401()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now.AddMinutes(-10)));

        var past = await app.SendSignedAsync(body, at: app.Now - Tolerance - TimeSpan.FromSeconds(1));
        var future = await app.SendSignedAsync(body, at: app.Now + Tolerance + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, past.StatusCode);
        Assert.Equal("stale_timestamp", await CodeAsync(past));
        Assert.Equal(HttpStatusCode.Unauthorized, future.StatusCode);
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task A_timestamp_exactly_at_the_tolerance_either_way_is_accepted()
    {
        var wf = await WorkflowAsync();

        var past = await app.SendSignedAsync(ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-past", "running", app.Now.AddMinutes(-10))),
            at: app.Now - Tolerance);
        var future = await app.SendSignedAsync(ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-future", "running", app.Now.AddMinutes(-10))),
            at: app.Now + Tolerance);

        Assert.Equal(HttpStatusCode.NoContent, past.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, future.StatusCode);
        Assert.Equal(2, await RunsAsync(wf));
    }

    [Fact]
    public async Task Several_signatures_are_accepted_when_one_of_them_is_valid()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));
        var ts = app.Now.ToUnixTimeSeconds();
        var valid = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_1", ts, body);
        var wrong = WebhookSignatures.Sign(RunEventsApp.UnknownSecret, "msg_1", ts, body);
        var header = $"v1,{Convert.ToBase64String(new byte[32])} {wrong} v2,whatever {valid}";

        var res = await app.PostRawAsync(body, "msg_1", Ts(app.Now), header);

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(1, await RunsAsync(wf));
    }

    [Fact]
    public async Task During_a_rotation_an_event_signed_with_the_old_secret_is_accepted()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now));

        var res = await app.SendSignedAsync(body, secret: RunEventsApp.OldSecret);

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(1, await RunsAsync(wf));
    }

    [Fact]
    public async Task A_replay_of_the_same_delivery_is_204_and_writes_nothing_new()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", app.Now.AddMinutes(-1), 2m));
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendSignedAsync(body, "msg_replay")).StatusCode);
        var before = await app.ScalarAsync<DateTime>("SELECT updated_at FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId));
        app.Clock.Advance(TimeSpan.FromSeconds(30));

        var replay = await app.SendSignedAsync(body, "msg_replay");

        Assert.Equal(HttpStatusCode.NoContent, replay.StatusCode);
        Assert.Equal(1, await RunsAsync(wf));
        Assert.Equal(before, await app.ScalarAsync<DateTime>("SELECT updated_at FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
        // One usage delta only: the replay queued nothing for aggregation either.
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM run_event_changes WHERE automation_version_id = @v", ("v", wf.VersionId)));
    }

    [Fact]
    public async Task A_later_status_advances_the_run_and_an_older_one_never_overwrites_a_final_status()
    {
        var wf = await WorkflowAsync();
        var started = app.Now.AddMinutes(-2);

        Assert.Equal(HttpStatusCode.NoContent, (await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-a", "running", started))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-a", "succeeded", started))).StatusCode);
        Assert.Equal("succeeded", await StatusAsync(wf, "run-a"));

        // Out of order: the final status arrives first, the running one later.
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-b", "succeeded", started))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-b", "running", started))).StatusCode);
        // And another final status never replaces the first one.
        Assert.Equal(HttpStatusCode.NoContent,
            (await app.SendEventAsync(ArrangeRuns.Event(wf.WorkflowId, "run-b", "failed", started, error: "late"))).StatusCode);

        Assert.Equal("succeeded", await StatusAsync(wf, "run-b"));
        Assert.Equal(2, await RunsAsync(wf));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b AND run_id = 'run-b' AND completed_at IS NOT NULL AND error_message IS NULL",
            ("b", wf.BindingId)));
    }

    [Fact]
    public async Task An_unknown_workflow_is_404_after_a_valid_signature_and_401_with_an_invalid_one()
    {
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event("wf_nobody_knows", "run-1", "running", app.Now));

        var signed = await app.SendSignedAsync(body);
        var unsigned = await app.PostRawAsync(body, "msg_x", Ts(app.Now), "v1," + Convert.ToBase64String(new byte[32]));

        Assert.Equal(HttpStatusCode.NotFound, signed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413_even_when_signed()
    {
        var wf = await WorkflowAsync();
        var padding = new string('x', 70 * 1024);
        var body = ArrangeRuns.Bytes(new
        {
            workflow_id = wf.WorkflowId, run_id = "run-1", status = "running", started_at = "2026-11-30T10:00:00Z", metadata = new { padding },
        });

        var res = await app.SendSignedAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res.StatusCode);
        Assert.Equal(0, await RunsAsync(wf));
    }

    [Fact]
    public async Task Malformed_JSON_is_400_after_a_valid_signature()
    {
        var res = await app.SendSignedAsync("{\"workflow_id\": \"wf\", "u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("validation_failed", await CodeAsync(res));
    }

    [Fact]
    public async Task Invalid_fields_are_400_naming_each_path()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(new
        {
            workflow_id = wf.WorkflowId, status = "exploded", started_at = "2026-11-30T10:00:00Z", cost = "-1", metadata = "nope",
        });
        var backwards = ArrangeRuns.Bytes(new
        {
            workflow_id = wf.WorkflowId, run_id = "run-1", status = "succeeded", started_at = "2026-11-30T10:00:00Z",
            completed_at = "2026-11-30T09:59:00Z",
        });

        var res = await app.SendSignedAsync(body);
        var res2 = await app.SendSignedAsync(backwards);

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var errors = (await res.ReadAsync()).GetProperty("errors");
        foreach (var path in new[] { "$.run_id", "$.status", "$.cost", "$.metadata" })
        {
            Assert.True(errors.TryGetProperty(path, out _), $"no error for {path}: {errors}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, res2.StatusCode);
        Assert.True((await res2.ReadAsync()).GetProperty("errors").TryGetProperty("$.completed_at", out _));
        Assert.Equal(0, await RunsAsync(wf));
    }
}
