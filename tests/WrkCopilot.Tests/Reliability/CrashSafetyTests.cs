using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Reliability;

/// <summary>
/// The app against a WRK Platform over HTTP whose attempts never time out in these tests, so that every platform request
/// counted is a job's, not the client retrying an answer a loaded machine was slow to give.
/// </summary>
public sealed class CrashApp : WrkPlatformHttpApp
{
    public override TimeSpan AttemptTimeout => TimeSpan.FromSeconds(60);
}

/// <summary>What the crash tests share: a WRK Platform stub that creates workflows, and reading what reached it.</summary>
internal static class Crash
{
    public const string WorkflowsPath = "/v1/workflows";

    /// <summary>The platform answers every create with the version's workflow (the real one keeps one per external reference).</summary>
    public static void CreatesWorkflow(WireMockServer platform, Guid versionId)
    {
        platform.Reset();
        platform.Given(Request.Create().WithPath(WorkflowsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithBodyAsJson(new { workflow_id = WorkflowOf(versionId), status = "inactive" }));
    }

    public static string WorkflowOf(Guid versionId) => $"wf_{versionId:N}";

    /// <summary>The external references of every workflow create the platform received.</summary>
    public static List<string> Creates(WireMockServer platform) => platform.LogEntries
        .Where(e => e.RequestMessage.Path == WorkflowsPath && e.RequestMessage.Method == "POST")
        .Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement.GetProperty("external_ref").GetString()!)
        .ToList();

    /// <summary>Every outbox row, one a line, for failure messages.</summary>
    public static Task<string> DescribeOutboxAsync(WrkApp app) => app.AsOwnerAsync(async conn =>
    {
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT type || ' ' || status || ' attempts=' || attempts || ' ' || COALESCE(last_error, '') FROM outbox ORDER BY created_at", conn);
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            lines.Add(r.GetString(0));
        }
        return string.Join("\n", lines);
    });

    /// <summary>Outbox rows not done (of one tenant's jobs when given, for a class whose tests share a database).</summary>
    public static Task<long> UnfinishedJobsAsync(WrkApp app, Guid? tenantId = null) => tenantId is { } t
        ? app.CountAsync("SELECT count(*) FROM outbox WHERE status <> 'done' AND tenant_id = @t", ("t", t))
        : app.CountAsync("SELECT count(*) FROM outbox WHERE status <> 'done'");

    /// <summary>Time passing, without waiting for it: every retry is due now and every lease has run out.</summary>
    public static Task<int> LetTimePassAsync(WrkApp app) => app.ExecuteAsync("""
        UPDATE outbox SET available_at = now() - interval '1 second' WHERE status = 'pending';
        UPDATE outbox SET locked_until = now() - interval '1 second' WHERE status = 'processing';
        """);

    /// <summary>A quote submitted, sent and signed through the API: its build request is committed, not run.</summary>
    public static async Task<PricedVersion> SignedAsync(WrkApp app, Caller admin, Caller ops)
    {
        var priced = await app.SentQuoteAsync(admin, ops);
        using var client = app.Client(admin.AccessToken);
        await (await client.PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);
        return priced;
    }
}

/// <summary>
/// Crash safety of the outbox (ADR 0011, <c>Kernel/Outbox</c>) across instances: a change committed by an instance that
/// stopped before dispatching runs its jobs once on the next instance, whether it stopped cleanly (disposed) or was killed
/// (<c>kill -9</c> of the real host process in the middle of a job). Each test owns its apps, as two processes would.
/// </summary>
public sealed class OutboxInstanceCrashTests
{
    [Fact]
    public async Task Jobs_committed_by_an_instance_that_never_dispatched_them_run_once_on_the_next_instance()
    {
        var next = new CrashApp();
        await next.InitializeAsync();
        var gone = new CrashApp();
        gone.UseDatabaseOf(next);
        await gone.InitializeAsync();
        try
        {
            var admin = await gone.SignUpAsync();
            var ops = await gone.StaffAsync("ops_admin");
            var priced = await Crash.SignedAsync(gone, admin, ops);
            var invitee = Identities.NewEmail("invitee");
            await (await gone.Client(admin.AccessToken).PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations",
                new { email = invitee, roles = new[] { "member" } })).ExpectAsync(HttpStatusCode.Created);
            var committed = await gone.CountAsync("SELECT count(*) FROM outbox WHERE status = 'pending'");
            Assert.Empty(gone.Platform.LogEntries);
            Crash.CreatesWorkflow(next.Platform, priced.VersionId);

            // The process is gone before its dispatcher ran: nothing was sent, every job is still in the outbox.
            await gone.DisposeAsync();
            Assert.Empty(gone.Mail.Sent);
            Assert.True(committed >= 3, $"{committed} jobs committed");

            await next.DeliverOutboxAsync();

            Assert.Equal([priced.VersionId.ToString()], Crash.Creates(next.Platform));
            Assert.Equal("qa_testing", await next.VersionStatusAsync(priced.VersionId));
            Assert.Equal(1, await next.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId)));
            Assert.Single(next.Mail.Sent, m => m.To == invitee);
            Assert.Single(next.Mail.Sent, m => m.To == ops.Email && m.Subject.EndsWith("is ready for QA", StringComparison.Ordinal));
            Assert.Equal(next.Mail.Sent.Count, next.Mail.Sent.Select(m => (m.To, m.Subject)).Distinct().Count());
            Assert.Equal(0, await Crash.UnfinishedJobsAsync(next));
        }
        finally
        {
            await next.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_host_killed_in_the_middle_of_a_build_leaves_the_job_to_the_next_instance_which_builds_once()
    {
        var next = new CrashApp();
        await next.InitializeAsync();
        var reached = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        // The platform the killed host talks to: it takes the create and never answers before the kill.
        var hanging = next.ExternalService("hanging-platform");
        hanging.Given(Request.Create().WithPath(Crash.WorkflowsPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            reached.TrySetResult(JsonDocument.Parse(request.Body!).RootElement.GetProperty("external_ref").GetString()!);
            release.Wait(TimeSpan.FromSeconds(60));
            return new WireMock.ResponseMessage { StatusCode = 503 };
        }));
        Process? host = null;
        try
        {
            var admin = await next.SignUpAsync();
            var ops = await next.StaffAsync("ops_admin");
            var priced = await next.SentQuoteAsync(admin, ops);
            Crash.CreatesWorkflow(next.Platform, priced.VersionId);

            var (started, url, output) = await StartHostAsync(next, hanging.Url!);
            host = started;
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin.AccessToken);
            await (await client.PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);

            // The host's own dispatcher claims the build and calls the platform; it is killed while the call is in flight.
            var externalRef = await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            release.Set();

            Assert.Equal(priced.VersionId.ToString(), externalRef);
            Assert.Equal("build_in_progress", await next.VersionStatusAsync(priced.VersionId));
            Assert.Equal(0, await next.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId)));
            Assert.True(await next.CountAsync(
                "SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND status = 'processing' AND attempts = 1") == 1, output.ToString());

            // Its lease runs out (simulated: tests never wait for the clock) and the next instance takes the job over.
            await Crash.LetTimePassAsync(next);
            await next.DeliverOutboxAsync();

            Assert.Equal([priced.VersionId.ToString()], Crash.Creates(next.Platform));
            Assert.Equal("qa_testing", await next.VersionStatusAsync(priced.VersionId));
            Assert.Equal(1, await next.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v AND wrk_workflow_id = @w",
                ("v", priced.VersionId), ("w", Crash.WorkflowOf(priced.VersionId))));
            Assert.Equal(1, await next.CountAsync(
                "SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND status = 'done' AND attempts = 2"));
            Assert.Equal(1, await next.CountAsync(
                "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND metadata_json->>'transition' = 'T5'", ("v", priced.VersionId)));
            await Crash.LetTimePassAsync(next);
            await next.DeliverOutboxAsync();
            Assert.Equal(0, await Crash.UnfinishedJobsAsync(next));
        }
        finally
        {
            release.Set();
            if (host is { HasExited: false })
            {
                host.Kill(entireProcessTree: true);
            }
            host?.Dispose();
            await next.DisposeAsync();
        }
    }

    /// <summary>The built host (<c>src/WrkCopilot</c>) serving HTTP on a free port over <paramref name="app"/>'s database, its dispatcher on.</summary>
    private static async Task<(Process Host, string Url, System.Text.StringBuilder Output)> StartHostAsync(WrkApp app, string platformUrl)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var url = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WrkCopilot.dll"));
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__Default"] = app.AppConnectionString,
            ["ConnectionStrings__Migrations"] = app.OwnerConnectionString,
            ["Auth__SigningKeys__0__Kid"] = "test-1",
            ["Auth__SigningKeys__0__Secret"] = WrkApp.SigningKey,
            ["Auth__PasswordIterations"] = "1000",
            ["Outbox__DispatcherEnabled"] = "true",
            ["WrkPlatform__Mode"] = "Http",
            ["WrkPlatform__BaseUrl"] = platformUrl,
            ["WrkPlatform__Token"] = WrkPlatformHttpApp.Token,
            ["WrkPlatform__Timeout"] = "00:02:00",
            ["WrkPlatform__Retries"] = "0",
            ["Lifecycle__PlatformOperationLease"] = "00:10:00", // above twice the 2 min call plus the database margin
            ["WrkPlatform__WebhookSecrets__0"] = RunEventsApp.Secret,
            ["Usage__SchedulesEnabled"] = "false",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        var process = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probeClient = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            Assert.False(process.HasExited, "the host exited: " + output);
            try
            {
                if ((await probeClient.GetAsync("/health/live")).IsSuccessStatusCode)
                {
                    return (process, url, output);
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("the host did not start: " + output);
    }
}

/// <summary>
/// Crash safety of the real jobs on one instance: a job that fails halfway leaves nothing half done and succeeds on its retry;
/// a job whose completion mark was lost (the process died after its effect) runs again with no second effect; nothing in the
/// outbox is left behind.
/// </summary>
public sealed class JobCrashTests(CrashApp app) : IClassFixture<CrashApp>
{
    [Fact]
    public async Task A_build_that_fails_after_the_platform_call_saves_nothing_and_its_retry_builds_once()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        // Only the build is left in the outbox, so the delivery below ends before its retry is due.
        await app.DeliverOutboxAsync();
        await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);
        Crash.CreatesWorkflow(app.Platform, priced.VersionId);
        // The database fails once, in the transaction that saves the build (after the workflow was created on the platform).
        var fail = $"crash_{Guid.NewGuid():N}";
        await app.ExecuteAsync($"""
            CREATE SEQUENCE {fail};
            CREATE FUNCTION {fail}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN
              IF nextval('{fail}') = 1 THEN RAISE EXCEPTION 'injected failure after the platform call'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER {fail} BEFORE INSERT ON workflow_bindings FOR EACH ROW
              WHEN (NEW.automation_version_id = '{priced.VersionId}') EXECUTE FUNCTION {fail}();
            """);
        try
        {
            await app.DeliverOutboxAsync();

            // (On a loaded machine the platform client may retry a slow create within the attempt; each names the version.)
            var first = Crash.Creates(app.Platform);
            Assert.NotEmpty(first);
            Assert.All(first, r => Assert.Equal(priced.VersionId.ToString(), r));
            Assert.Equal("build_in_progress", await app.VersionStatusAsync(priced.VersionId));
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId)));
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v AND kind = 'build_checklist'", ("v", priced.VersionId)));
            Assert.True(await app.CountAsync(
                "SELECT count(*) FROM outbox WHERE payload->>'automation_version_id' = @v AND status = 'pending' AND attempts = 1 AND last_error IS NOT NULL",
                ("v", priced.VersionId.ToString())) == 1, await Crash.DescribeOutboxAsync(app));

            await Crash.LetTimePassAsync(app);
            await app.DeliverOutboxAsync();

            // The retry creates again with the same external reference, which the platform answers with the same workflow.
            var all = Crash.Creates(app.Platform);
            Assert.True(all.Count > first.Count);
            Assert.All(all, r => Assert.Equal(priced.VersionId.ToString(), r));
            Assert.True(await app.VersionStatusAsync(priced.VersionId) == "qa_testing", await Crash.DescribeOutboxAsync(app));
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM workflow_bindings WHERE automation_version_id = @v", ("v", priced.VersionId)));
            Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @v AND kind = 'build_checklist'", ("v", priced.VersionId)));
            Assert.Equal(1, await app.CountAsync(
                "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND metadata_json->>'transition' = 'T5'", ("v", priced.VersionId)));
            Assert.Equal(0, await Crash.UnfinishedJobsAsync(app, admin.TenantId));
        }
        finally
        {
            await app.ExecuteAsync($"DROP TRIGGER {fail} ON workflow_bindings; DROP FUNCTION {fail}(); DROP SEQUENCE {fail};");
        }
    }

    [Fact]
    public async Task Jobs_whose_completion_mark_was_lost_run_again_with_no_second_effect()
    {
        var slack = app.ExternalService("slack");
        slack.Given(Request.Create().WithPath("/hook").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        var admin = await app.SignUpAsync();
        await app.SetSlackWebhookAsync(admin.TenantId, slack.Url + "/hook");
        var ops = await app.StaffAsync("ops_admin");
        // Real jobs: notifications (email, in-app, Slack) of the submission and of the quote sent, the build, and the QA
        // notification its T5 enqueues.
        var priced = await Crash.SignedAsync(app, admin, ops);
        Crash.CreatesWorkflow(app.Platform, priced.VersionId);
        await app.DeliverOutboxAsync();

        var creates = Crash.Creates(app.Platform).Count;
        var mails = app.Mail.Sent.Count;
        var slackMessages = slack.LogEntries.Count();
        var notifications = await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t", ("t", admin.TenantId));
        Assert.True(creates >= 1, string.Join(", ", Crash.Creates(app.Platform)) + "\n" + await Crash.DescribeOutboxAsync(app));
        Assert.True(mails >= 2 && slackMessages >= 1 && notifications >= 2, $"{mails} mails, {slackMessages} Slack, {notifications} notifications");
        var jobs = await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND status = 'done'", ("t", admin.TenantId));

        // Every job ran its effect, then the process died before marking it done: each is claimed again after its lease.
        await app.ExecuteAsync("""
            UPDATE outbox SET status = 'processing', completed_at = NULL, locked_by = 'dead-instance:lost-mark',
                              locked_until = now() - interval '1 second'
            WHERE tenant_id = @t AND status = 'done'
            """, ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Equal(jobs, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND status = 'done' AND attempts = 2", ("t", admin.TenantId)));
        Assert.Equal(creates, Crash.Creates(app.Platform).Count);
        Assert.True(mails == app.Mail.Sent.Count, string.Join("\n", app.Mail.Sent.Select(m => $"{m.To}: {m.Subject}")));
        Assert.Equal(slackMessages, slack.LogEntries.Count());
        Assert.Equal(notifications, await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t", ("t", admin.TenantId)));
        Assert.Equal("qa_testing", await app.VersionStatusAsync(priced.VersionId));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND metadata_json->>'transition' = 'T5'", ("v", priced.VersionId)));
        Assert.Equal(0, await Crash.UnfinishedJobsAsync(app, admin.TenantId));
    }

    [Fact]
    public async Task An_invitation_email_whose_completion_mark_was_lost_is_not_sent_again()
    {
        var admin = await app.SignUpAsync();
        var invitee = Identities.NewEmail("invitee");
        await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations",
            new { email = invitee, roles = new[] { "member" } })).ExpectAsync(HttpStatusCode.Created);
        await app.DeliverOutboxAsync();
        Assert.Single(app.Mail.Sent, m => m.To == invitee);

        await app.ExecuteAsync("""
            UPDATE outbox SET status = 'processing', completed_at = NULL, locked_by = 'dead-instance:lost-mark',
                              locked_until = now() - interval '1 second'
            WHERE tenant_id = @t AND type = 'invitation_email'
            """, ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Single(app.Mail.Sent, m => m.To == invitee);
        Assert.Equal(0, await Crash.UnfinishedJobsAsync(app, admin.TenantId));
    }
}
