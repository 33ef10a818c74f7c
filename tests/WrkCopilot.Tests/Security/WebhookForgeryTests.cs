using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>
/// Issue 8, item 5: forged and replayed deliveries to <c>POST /v1/webhooks/wrk-run-event</c> (Flow 27, Standard Webhooks v1). Every
/// forgery is a 401 problem+json and leaves every table (run events, usage changes, aggregates…) as it was; an exact replay inside the
/// window is the documented idempotent 204 and counts nothing twice. Flow 27's own tests cover a bad, missing or other-secret signature,
/// a one-byte body change and the ±5 minute edges on one case each; this suite runs the whole catalogue against one fingerprint.
/// </summary>
public sealed class WebhookForgeryTests(FrozenClockApp app) : IClassFixture<FrozenClockApp>
{
    private sealed record Delivery(string Case, byte[] Body, string? Id, string? Timestamp, string? Signature);

    private static string Ts(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    private static string Mac(string signature) => signature[3..];

    private async Task<RunWorkflow> WorkflowAsync() => await app.InsertWorkflowAsync(await app.InsertTenantAsync());

    private async Task<string?> RefusedAsync(Delivery d)
    {
        using var res = await app.PostRawAsync(d.Body, d.Id, d.Timestamp, d.Signature);
        return await AttackSurface.RefusedAsync(res, HttpStatusCode.Unauthorized, d.Case);
    }

    /// <summary>Every forgery of one delivery that an attacker who saw valid traffic, but holds no secret, could build.</summary>
    private List<Delivery> Forgeries(RunWorkflow wf, RunWorkflow other)
    {
        var now = app.Now.ToUnixTimeSeconds();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-forged", "succeeded", app.Now.AddMinutes(-1), 1000m));
        var otherBody = ArrangeRuns.Bytes(ArrangeRuns.Event(other.WorkflowId, "run-seen", "succeeded", app.Now.AddMinutes(-1), 1m));
        const string id = "msg_forged";
        var valid = WebhookSignatures.Sign(RunEventsApp.Secret, id, now, body);
        var mac = Convert.FromBase64String(Mac(valid));
        Delivery Signed(string name, long at, string? secret = RunEventsApp.Secret, string? header = null) =>
            new(name, body, id, header ?? Ts(at), WebhookSignatures.Sign(secret!, id, at, body));
        var tolerance = (long)WebhookSignatures.Tolerance.TotalSeconds;
        return
        [
            new("wrong secret", body, id, Ts(now), WebhookSignatures.Sign(RunEventsApp.UnknownSecret, id, now, body)),
            new("the signature cut to 16 bytes", body, id, Ts(now), "v1," + Convert.ToBase64String(mac[..16])),
            new("the signature's text cut by 4 characters", body, id, Ts(now), valid[..^4]),
            new("an empty v1 entry", body, id, Ts(now), "v1,"),
            new("v2 scheme with the right MAC", body, id, Ts(now), "v2," + Mac(valid)),
            new("V1 upper-case scheme", body, id, Ts(now), "V1," + Mac(valid)),
            new("no scheme", body, id, Ts(now), Mac(valid)),
            new("hex instead of base64", body, id, Ts(now), "v1," + Convert.ToHexString(mac)),
            new("the secret itself as the signature", body, id, Ts(now), "v1," + RunEventsApp.Secret["whsec_".Length..]),
            new("a signature over another body", body, id, Ts(now), WebhookSignatures.Sign(RunEventsApp.Secret, id, now, otherBody)),
            new("another tenant's seen delivery with this body", body, "msg_seen", Ts(now),
                WebhookSignatures.Sign(RunEventsApp.Secret, "msg_seen", now, otherBody)),
            new("a signature over another webhook-id", body, "msg_other", Ts(now), valid),
            new("a signature over another timestamp", body, id, Ts(now - 60), valid),
            new("a plain SHA-256 of the body", body, id, Ts(now), "v1," + Convert.ToBase64String(SHA256.HashData(body))),
            new("a body with trailing whitespace", [.. body, (byte)' '], id, Ts(now), valid),
            new("no webhook-id", body, null, Ts(now), valid),
            new("no webhook-timestamp", body, id, null, valid),
            new("no webhook-signature", body, id, Ts(now), null),
            new("no header at all", body, null, null, null),
            new("an empty webhook-id", body, "", Ts(now), valid),
            Signed("timestamp 1 s beyond the window in the past", now - tolerance - 1),
            Signed("timestamp a day in the past", now - 86_400),
            Signed("timestamp 1 s beyond the window in the future", now + tolerance + 1),
            Signed("timestamp a day in the future", now + 86_400),
            Signed("timestamp in milliseconds", now * 1000),
            Signed("timestamp zero", 0),
            new("negative timestamp", body, id, "-1", valid),
            new("timestamp with a sign", body, id, "+" + Ts(now), valid),
            new("timestamp with a fraction", body, id, Ts(now) + ".0", valid),
            new("timestamp beyond a long", body, id, "99999999999999999999", valid),
        ];
    }

    [Fact]
    public async Task Every_forged_delivery_is_401_problem_json_and_changes_no_row()
    {
        var wf = await WorkflowAsync();
        var other = await WorkflowAsync();
        // Valid traffic the attacker has seen.
        var seen = ArrangeRuns.Bytes(ArrangeRuns.Event(other.WorkflowId, "run-seen", "succeeded", app.Now.AddMinutes(-1), 1m));
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendSignedAsync(seen, "msg_seen")).StatusCode);
        await app.DrainUsageAsync();
        var before = await AttackSurface.FingerprintAsync(app);
        var forgeries = Forgeries(wf, other);
        var failures = new List<string>();

        foreach (var forgery in forgeries)
        {
            if (await RefusedAsync(forgery) is { } failure)
            {
                failures.Add(failure);
            }
        }
        await app.DrainUsageAsync();

        Assert.True(failures.Count == 0, $"{failures.Count} of {forgeries.Count} forgeries not refused:\n" + string.Join("\n", failures));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
        // The same delivery, genuinely signed, is accepted: each refusal was due to its one alteration.
        var genuine = forgeries[0].Body;
        Assert.Equal(HttpStatusCode.NoContent, (await app.SendSignedAsync(genuine, "msg_forged")).StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
    }

    [Fact]
    public async Task Exact_replays_inside_the_window_even_concurrent_are_204_and_count_once()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-replayed", "succeeded", app.Now.AddMinutes(-1), 2.5m));
        var at = app.Now.ToUnixTimeSeconds();
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_replayed", at, body);

        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.PostRawAsync(body, "msg_replayed", Ts(at), signature)));
        Assert.All(first, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        await app.DrainUsageAsync();
        var after = await AttackSurface.FingerprintAsync(app);
        app.Clock.Advance(TimeSpan.FromSeconds(90));

        var replays = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.PostRawAsync(body, "msg_replayed", Ts(at), signature)));
        await app.DrainUsageAsync();

        Assert.All(replays, r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        Assert.Empty(AttackSurface.Changed(after, await AttackSurface.FingerprintAsync(app)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT coalesce(sum(run_count), 0) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'",
            ("v", wf.VersionId)));
    }

    [Fact]
    public async Task A_captured_delivery_replayed_after_the_window_is_401_and_changes_nothing()
    {
        var wf = await WorkflowAsync();
        var running = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-late", "running", app.Now.AddMinutes(-1)));
        var at = app.Now.ToUnixTimeSeconds();
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_late", at, running);
        Assert.Equal(HttpStatusCode.NoContent, (await app.PostRawAsync(running, "msg_late", Ts(at), signature)).StatusCode);
        await app.DrainUsageAsync();
        var before = await AttackSurface.FingerprintAsync(app);
        app.Clock.Advance(WebhookSignatures.Tolerance + TimeSpan.FromSeconds(1));

        using var replay = await app.PostRawAsync(running, "msg_late", Ts(at), signature);
        await app.DrainUsageAsync();

        Assert.Null(await AttackSurface.RefusedAsync(replay, HttpStatusCode.Unauthorized, "late replay"));
        Assert.Equal("stale_timestamp", (await replay.ReadAsync()).GetProperty("code").GetString());
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
    }

    [Fact]
    public async Task A_replay_of_a_seen_webhook_id_with_another_body_is_401_whatever_the_body_says()
    {
        var wf = await WorkflowAsync();
        var running = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-1", "running", app.Now.AddMinutes(-1)));
        var at = app.Now.ToUnixTimeSeconds();
        var signature = WebhookSignatures.Sign(RunEventsApp.Secret, "msg_once", at, running);
        Assert.Equal(HttpStatusCode.NoContent, (await app.PostRawAsync(running, "msg_once", Ts(at), signature)).StatusCode);
        await app.DrainUsageAsync();
        var before = await AttackSurface.FingerprintAsync(app);
        var failures = new List<string>();

        foreach (var (name, body) in new[]
                 {
                     ("a final status for the run", ArrangeRuns.Event(wf.WorkflowId, "run-1", "succeeded", app.Now.AddMinutes(-1), 500m)),
                     ("a failure of the run", ArrangeRuns.Event(wf.WorkflowId, "run-1", "failed", app.Now.AddMinutes(-1), error: "forged")),
                     ("another run", ArrangeRuns.Event(wf.WorkflowId, "run-2", "succeeded", app.Now.AddMinutes(-1), 500m)),
                 })
        {
            if (await RefusedAsync(new Delivery(name, ArrangeRuns.Bytes(body), "msg_once", Ts(at), signature)) is { } failure)
            {
                failures.Add(failure);
            }
        }
        await app.DrainUsageAsync();

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
        Assert.Equal("running", await app.ScalarAsync<string>("SELECT status FROM run_events WHERE workflow_binding_id = @b", ("b", wf.BindingId)));
    }

    [Fact]
    public async Task A_forged_delivery_names_nothing_it_looked_up()
    {
        var wf = await WorkflowAsync();
        var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, "run-probe", "running", app.Now));
        var unknown = ArrangeRuns.Bytes(ArrangeRuns.Event("wf_unknown", "run-probe", "running", app.Now));
        var bogus = "v1," + Convert.ToBase64String(new byte[32]);

        using var known = await app.PostRawAsync(body, "msg_probe", Ts(app.Now.ToUnixTimeSeconds()), bogus);
        using var missing = await app.PostRawAsync(unknown, "msg_probe", Ts(app.Now.ToUnixTimeSeconds()), bogus);

        // A binding that exists and one that does not get the same answer, so workflow ids cannot be probed.
        Assert.Equal(HttpStatusCode.Unauthorized, known.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        var knownText = await known.Content.ReadAsStringAsync();
        Assert.DoesNotContain(wf.WorkflowId, knownText, StringComparison.Ordinal);
        Assert.DoesNotContain(wf.TenantId.ToString(), knownText, StringComparison.Ordinal);
        Assert.Equal((await known.ReadAsync()).GetProperty("code").GetString(), (await missing.ReadAsync()).GetProperty("code").GetString());
    }
}
