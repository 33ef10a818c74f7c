using System.Globalization;
using System.Net;
using System.Text;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;
using static System.Net.HttpStatusCode;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Reliability;

/// <summary>
/// The concurrency contract, as races through the API: each race starts <see cref="Parallelism"/> requests together
/// (<see cref="Race"/>) for <see cref="Rounds"/> rounds. Whatever the interleaving, no answer is a 5xx, a race that only one
/// request may win has exactly one winner and its losers get the documented 409/412, nothing is updated twice or lost, and
/// the WRK Platform ends as the database says. Abstract over its fixture so the same races can run through another
/// connection path (e.g. PgBouncer): derive a sealed class with a <see cref="ConcurrencyApp"/> subclass as its fixture.
/// </summary>
public abstract class ConcurrencyContract(ConcurrencyApp app)
{
    protected virtual int Rounds => 5;

    protected virtual int Parallelism => 8;

    private static readonly (HttpStatusCode, string?)[] TransitionLosers =
        [(Conflict, "invalid_transition"), (Conflict, "concurrency_conflict")];

    // PATCH /v1/quotes/{id}/status documents "invalid_quote_transition, quote_expired, a lifecycle error, or concurrency_conflict".
    private static readonly (HttpStatusCode, string?)[] QuoteLosers =
    [
        (Conflict, "invalid_quote_transition"), (Conflict, "concurrency_conflict"), (Conflict, "invalid_transition"),
        (Conflict, "transition_guard_failed"), (Conflict, "transition_unavailable"),
    ];

    private Caller? _admin;

    private async Task<Caller> AdminAsync() => _admin ??= await app.SignUpAsync();

    private Func<Task<HttpResponseMessage>> Post(string bearer, string url, object body) => () => app.Client(bearer).PostJsonAsync(url, body);

    private Func<Task<HttpResponseMessage>> Patch(string bearer, string url, object body) => () => app.Client(bearer).PatchJsonAsync(url, body);

    private List<Func<Task<HttpResponseMessage>>> Times(Func<Task<HttpResponseMessage>> request) => [.. Enumerable.Repeat(request, Parallelism)];

    /// <summary>Half <paramref name="a"/>, half <paramref name="b"/>, interleaved.</summary>
    private List<Func<Task<HttpResponseMessage>>> Halves(Func<Task<HttpResponseMessage>> a, Func<Task<HttpResponseMessage>> b) =>
        [.. Enumerable.Range(0, Parallelism).Select(i => i % 2 == 0 ? a : b)];

    private static string VersionUrl(Guid versionId, string action) => $"/v1/automation-versions/{versionId}/{action}";

    /// <summary>
    /// The WRK Platform and the database agree about every version of the automation: a binding is active exactly when its
    /// version is live, and the platform's workflow is in the binding's state; at most one version is live.
    /// </summary>
    private async Task AssertPlatformMatchesAsync(params LaunchVersion[] versions)
    {
        var live = 0;
        foreach (var v in versions)
        {
            var status = await app.VersionStatusAsync(v.VersionId);
            var binding = await app.BindingStatusAsync(v.VersionId);
            live += status == "live" ? 1 : 0;
            Assert.Equal(status == "live" ? "active" : "inactive", binding);
            Assert.Equal(binding, app.Platform.StateOf(v.WorkflowId!) ?? "inactive");
            Assert.Equal(status, await app.ScalarAsync("SELECT status FROM projects WHERE id = @p", ("p", v.ProjectId)));
        }
        Assert.True(live <= 1, "two live versions of one automation");
    }

    private async Task<LaunchVersion> LiveVersionAsync(Guid tenantId)
    {
        var live = await app.LaunchVersionAsync(tenantId, "live", bindingStatus: "active");
        app.Platform.SetState(live.WorkflowId!, "active");
        return live;
    }

    [Fact]
    public async Task Identical_launches_of_one_version_make_it_live_once()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var v = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");

            var answers = await Race.RunAsync(Times(Post(admin.AccessToken, VersionUrl(v.VersionId, "launch"), new { })));

            Race.OneWinner(answers, OK, TransitionLosers);
            Assert.Equal("live", await app.VersionStatusAsync(v.VersionId));
            Assert.Equal(1, await app.TransitionAuditsAsync(v.VersionId));
            await AssertPlatformMatchesAsync(v);
        }
    }

    [Fact]
    public async Task Identical_pauses_and_identical_archives_of_a_live_version_each_happen_once()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (action, status) in new[] { ("pause", "paused"), ("archive", "archived") })
            {
                var v = await LiveVersionAsync(admin.TenantId);

                var answers = await Race.RunAsync(Times(Post(admin.AccessToken, VersionUrl(v.VersionId, action), new { })));

                Race.OneWinner(answers, OK, TransitionLosers);
                Assert.Equal(status, await app.VersionStatusAsync(v.VersionId));
                Assert.Equal(1, await app.TransitionAuditsAsync(v.VersionId));
                await AssertPlatformMatchesAsync(v);
            }
        }
    }

    // A losing launch used to undo its activate while a later launch that had made the same call had not committed yet, leaving
    // the binding active over a deactivated workflow; the platform-operation lease (ADR 0017) now makes them take turns.
    [Fact]
    public async Task Launching_a_new_version_while_the_live_one_is_paused_leaves_one_consistent_outcome()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var old = await LiveVersionAsync(admin.TenantId);
            var next = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch", automationId: old.AutomationId, minor: 1);

            var answers = await Race.RunAsync(Halves(
                Post(admin.AccessToken, VersionUrl(next.VersionId, "launch"), new { }),
                Post(admin.AccessToken, VersionUrl(old.VersionId, "pause"), new { })));

            // Pausing first then launching is a valid order (a launch replaces a paused version), so both may win once.
            Race.Serializable(answers, OK, TransitionLosers);
            Assert.True(answers.Count(a => a.Won(OK)) <= 2, string.Join(", ", answers.Select(a => a.ToString())));
            var nextStatus = await app.VersionStatusAsync(next.VersionId);
            var oldStatus = await app.VersionStatusAsync(old.VersionId);
            Assert.Contains(nextStatus, new[] { "live", "ready_to_launch" });
            Assert.Equal(nextStatus == "live" ? "archived" : "paused", oldStatus);
            await AssertPlatformMatchesAsync(old, next);
        }
    }

    [Fact]
    public async Task Archiving_a_version_while_it_is_launched_leaves_the_platform_as_the_database_says()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var v = await app.LaunchVersionAsync(admin.TenantId, "ready_to_launch");

            var answers = await Race.RunAsync(Halves(
                Post(admin.AccessToken, VersionUrl(v.VersionId, "launch"), new { }),
                Post(admin.AccessToken, VersionUrl(v.VersionId, "archive"), new { })));

            // Launch then archive is a valid order; archive then launch is not. Each wins at most once. An archive that read the
            // binding inactive and finds it active when it applies (a launch committed in between) is refused by its effect:
            // 409 transition_unavailable, which Flow 35 does not list (concurrency_conflict would say "retry").
            Race.Serializable(answers, OK, [.. TransitionLosers, (Conflict, "transition_unavailable")]);
            var wins = answers.Count(a => a.Won(OK));
            Assert.True(wins <= 2);
            Assert.Equal(wins, await app.TransitionAuditsAsync(v.VersionId));
            Assert.Equal(wins == 2 ? "archived" : null, wins == 2 ? await app.VersionStatusAsync(v.VersionId) : null);
            await AssertPlatformMatchesAsync(v);
        }
    }

    [Fact]
    public async Task Identical_submissions_for_pricing_create_one_quote()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var a = await app.CreateAutomationAsync(admin.AccessToken);
            await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example);

            var answers = await Race.RunAsync(Times(Post(admin.AccessToken, SubmitUrl(a.VersionId), new { })));

            Race.OneWinner(answers, OK, TransitionLosers);
            Assert.Equal("needs_pricing", await app.VersionStatusAsync(a.VersionId));
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM quotes WHERE automation_version_id = @v", ("v", a.VersionId)));
            Assert.Equal(1, await app.TransitionAuditsAsync(a.VersionId));
        }
    }

    [Fact]
    public async Task Parallel_signatures_of_one_quote_sign_it_once_and_request_one_build()
    {
        var admin = await AdminAsync();
        var ops = await app.StaffAsync("ops_admin");
        for (var round = 0; round < Rounds; round++)
        {
            var priced = await app.SentQuoteAsync(admin, ops);

            var answers = await Race.RunAsync(Times(Patch(admin.AccessToken, QuoteStatusUrl(priced.QuoteId), new { status = "signed" })));

            Race.OneWinner(answers, OK, QuoteLosers);
            Assert.Equal("signed", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @q", ("q", priced.QuoteId)));
            Assert.Equal(1, await BuildRequestsAsync(priced.VersionId));
            Assert.Equal(1, await app.CountAsync(
                "SELECT count(*) FROM audit_logs WHERE action_type = 'quote_signed' AND resource_id = @q", ("q", priced.QuoteId)));
        }
    }

    [Fact]
    public async Task Signing_and_rejecting_one_quote_at_once_does_exactly_one_of_them()
    {
        var admin = await AdminAsync();
        var ops = await app.StaffAsync("ops_admin");
        for (var round = 0; round < Rounds; round++)
        {
            var priced = await app.SentQuoteAsync(admin, ops);

            var answers = await Race.RunAsync(Halves(
                Patch(admin.AccessToken, QuoteStatusUrl(priced.QuoteId), new { status = "signed" }),
                Patch(admin.AccessToken, QuoteStatusUrl(priced.QuoteId), new { status = "rejected", reason = "Too expensive" })));

            var winner = Race.OneWinner(answers, OK, QuoteLosers);
            var outcome = winner.Body.GetProperty("data").GetProperty("status").GetString();
            Assert.Equal(outcome, await app.ScalarAsync("SELECT status FROM quotes WHERE id = @q", ("q", priced.QuoteId)));
            Assert.Equal(outcome == "signed" ? 1 : 0, await BuildRequestsAsync(priced.VersionId));
        }
    }

    private Task<long> BuildRequestsAsync(Guid versionId) => app.CountAsync(
        "SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND payload->>'automation_version_id' = @v", ("v", versionId.ToString()));

    [Fact]
    public async Task Duplicate_run_event_deliveries_at_once_store_one_run_counted_once_in_usage()
    {
        var admin = await AdminAsync();
        var wf = await app.InsertWorkflowAsync(admin.TenantId);
        var parallelism = Parallelism * 2;
        var rounds = new List<(byte[] Body, string WebhookId)>();
        for (var round = 0; round < Rounds; round++)
        {
            var body = ArrangeRuns.Bytes(ArrangeRuns.Event(wf.WorkflowId, $"run_{Guid.NewGuid():N}", "succeeded",
                DateTimeOffset.UtcNow.AddMinutes(-2), cost: 0.5m));
            var webhookId = $"msg_{Guid.NewGuid():N}";
            rounds.Add((body, webhookId));

            // Half are one delivery re-sent (same webhook-id), half the platform sending the same event as new messages.
            var answers = await Race.RunAsync([.. Enumerable.Range(0, parallelism)
                .Select(i => (Func<Task<HttpResponseMessage>>)(() => SendRunEventAsync(body, i % 2 == 0 ? webhookId : $"msg_{Guid.NewGuid():N}")))]);

            Assert.All(answers, a => Assert.Equal(NoContent, a.Status));
            Assert.Equal(round + 1, await app.CountAsync("SELECT count(*) FROM run_events WHERE automation_version_id = @v", ("v", wf.VersionId)));
        }

        await app.DrainUsageAsync();
        Assert.Equal(Rounds, await UsageRunsAsync(wf.VersionId));

        // Late duplicates of every event, drained by two workers at once, count nothing more.
        foreach (var (body, webhookId) in rounds)
        {
            await (await SendRunEventAsync(body, webhookId)).ExpectAsync(NoContent);
        }
        await Task.WhenAll(Task.Run(app.DrainUsageAsync), Task.Run(app.DrainUsageAsync));
        Assert.Equal(Rounds, await UsageRunsAsync(wf.VersionId));
        Assert.Equal(Rounds, await app.CountAsync("SELECT count(*) FROM run_events WHERE automation_version_id = @v", ("v", wf.VersionId)));
    }

    private Task<HttpResponseMessage> SendRunEventAsync(byte[] body, string webhookId)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return app.PostRawAsync(body, webhookId, ts.ToString(CultureInfo.InvariantCulture),
            WebhookSignatures.Sign(ConcurrencyApp.WebhookSecret, webhookId, ts, body));
    }

    private Task<long> UsageRunsAsync(Guid versionId) => app.CountAsync(
        "SELECT COALESCE(sum(run_count), 0) FROM usage_aggregates WHERE automation_version_id = @v AND granularity = 'day'", ("v", versionId));

    [Fact]
    public async Task Blueprint_writers_holding_one_ETag_one_wins_the_rest_are_412_and_nothing_is_lost()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var a = await app.CreateAutomationAsync(admin.AccessToken);
            var etag = await app.BlueprintETagAsync(admin.AccessToken, a.VersionId);
            var before = long.Parse(await app.ScalarAsync("SELECT row_version FROM automation_versions WHERE id = @v", ("v", a.VersionId)),
                CultureInfo.InvariantCulture);

            // Writer i sends a chain of i + 2 steps, so the stored document names its writer.
            var answers = await Race.RunAsync([.. Enumerable.Range(0, Parallelism).Select(i => (Func<Task<HttpResponseMessage>>)(() =>
                app.PutBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Chain(i + 2), etag)))]);

            // A loser whose If-Match was checked before the winner committed fails on the row version instead: 409
            // concurrency_conflict, as Flow 10 documents ("when another write won"); one checked after is 412.
            var winner = Race.OneWinner(answers, OK, (PreconditionFailed, "precondition_failed"), (Conflict, "concurrency_conflict"));
            var stored = await app.CountAsync(
                "SELECT jsonb_array_length(blueprint_json->'sections'->0->'steps') FROM automation_versions WHERE id = @v", ("v", a.VersionId));
            Assert.Equal(winner.Body.GetProperty("data").GetProperty("blueprint").GetProperty("sections")[0].GetProperty("steps").GetArrayLength(), stored);
            Assert.Equal(before + 1, long.Parse(await app.ScalarAsync("SELECT row_version FROM automation_versions WHERE id = @v", ("v", a.VersionId)),
                CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Racing_new_versions_of_one_automation_create_one()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var a = await app.CreateAutomationAsync(admin.AccessToken);
            await app.SaveBlueprintAsync(admin.AccessToken, a.VersionId, BlueprintDocs.Example);
            await app.SetVersionStatusAsync(a.VersionId, "live");
            var url = $"/v1/automations/{a.AutomationId}/versions";

            var answers = await Race.RunAsync(Halves(Post(admin.AccessToken, url, new { bump = "minor" }), Post(admin.AccessToken, url, new { bump = "major" })));

            Race.OneWinner(answers, Created, (Conflict, "pre_live_version_exists"));
            Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM automation_versions WHERE automation_id = @a", ("a", a.AutomationId)));
            Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM projects WHERE automation_id = @a", ("a", a.AutomationId)));
        }
    }

    [Fact]
    public async Task Racing_accepts_of_one_invitation_create_one_account_and_one_membership()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var email = Identities.NewEmail("invitee");
            var invited = (await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations",
                new { email, roles = new[] { "member" } })).ExpectAsync(Created)).GetProperty("data");
            var token = invited.GetProperty("token").GetString()!;

            var answers = await Race.RunAsync(Times(() => app.Client().PostJsonAsync("/v1/invitations/accept",
                new { token, name = "Newbie", password = Identities.Password })));

            Race.OneWinner(answers, Created, (Gone, "invitation_invalid"));
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM users WHERE email_normalized = @e", ("e", email)));
            Assert.Equal(1, await app.CountAsync(
                "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email_normalized = @e AND m.tenant_id = @t",
                ("e", email), ("t", admin.TenantId)));
        }
    }

    [Fact]
    public async Task Racing_posts_with_one_Idempotency_Key_create_once_and_every_success_is_the_same_answer()
    {
        var admin = await AdminAsync();
        for (var round = 0; round < Rounds; round++)
        {
            var key = Guid.NewGuid().ToString("N");
            var name = $"Idempotent {key}";

            var answers = await Race.RunAsync(Times(async () =>
            {
                var req = new HttpRequestMessage(HttpMethod.Post, "/v1/automations")
                {
                    Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { name, description = "d" }), Encoding.UTF8, "application/json"),
                };
                req.Headers.Add("Idempotency-Key", key);
                return await app.Client(admin.AccessToken).SendAsync(req);
            }));

            // The first creates; the others replay its answer, or are told it is still in flight.
            Race.Serializable(answers, Created, (Conflict, "idempotency_in_flight"));
            var ids = answers.Where(a => a.Won(Created))
                .Select(a => a.Body.GetProperty("data").GetProperty("automation").GetProperty("id").GetGuid()).Distinct();
            Assert.Single(ids);
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automations WHERE name = @n", ("n", name)));
        }
    }
}

/// <summary>The concurrency contract over a direct connection to PostgreSQL.</summary>
public sealed class ConcurrencyTests(ConcurrencyApp app) : ConcurrencyContract(app), IClassFixture<ConcurrencyApp>;
