using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Integrations.WrkPlatform;

/// <summary>Helpers shared by the client's test classes: the five calls, their routes and success bodies.</summary>
public abstract class PlatformCallTests(WrkPlatformHttpApp app)
{
    protected const string WorkflowId = "wf_42";

    public static TheoryData<string> Calls() => new() { "create", "update", "activate", "deactivate", "usage" };

    protected static (string Method, string Path) Route(string call) => call switch
    {
        "create" => ("POST", "/v1/workflows"),
        "update" => ("PUT", $"/v1/workflows/{WorkflowId}"),
        "activate" => ("POST", $"/v1/workflows/{WorkflowId}/activate"),
        "deactivate" => ("POST", $"/v1/workflows/{WorkflowId}/deactivate"),
        _ => ("GET", "/v1/usage-summary"),
    };

    protected static object SuccessBody(string call) => call == "usage"
        ? new
        {
            items = new[] { new { workflow_id = WorkflowId, date = "2026-11-29", run_count = 12, success_count = 11, failure_count = 1, cost = 0.6125m, extra = "ignored" } },
            next_cursor = "page-2",
        }
        : new { workflow_id = WorkflowId, url = "https://platform.example/wf_42", status = call == "activate" ? "active" : "inactive" };

    /// <summary>Runs the call; the outcome with the status code, error code, error and Retry-After it came with.</summary>
    protected async Task<(PlatformOutcome Outcome, object? Value, int? Status, string? Code, string? Error, TimeSpan? RetryAfter)> CallAsync(string call)
    {
        var client = app.PlatformClient();
        Assert.IsType<HttpWrkPlatformClient>(client);
        var ct = CancellationToken.None;
        return call switch
        {
            "create" => Of(await client.CreateWorkflowAsync(new CreateWorkflow("ver_1", "ten_1", "Lead sync v1.0", ArrangePlatform.Blueprint()), ct)),
            "update" => Of(await client.UpdateWorkflowAsync(WorkflowId, new UpdateWorkflow(ArrangePlatform.Blueprint()), ct)),
            "activate" => Of(await client.ActivateAsync(WorkflowId, ct)),
            "deactivate" => Of(await client.DeactivateAsync(WorkflowId, ct)),
            _ => Of(await client.UsageSummaryAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), "page-1", ct)),
        };

        static (PlatformOutcome, object?, int?, string?, string?, TimeSpan?) Of<T>(PlatformResult<T> r) =>
            (r.Outcome, r.Value, r.StatusCode, r.ErrorCode, r.Error, r.RetryAfter);
    }

    protected IRequestBuilder Matching(string call)
    {
        var (method, path) = Route(call);
        return Request.Create().WithPath(path).UsingMethod(method);
    }

    // Only this test's requests: a timed-out attempt of an earlier test is logged when its delayed answer ends, after the reset.
    protected List<WireMock.Logging.ILogEntry> Logged()
    {
        var mappings = Platform.Mappings.Select(m => m.Guid).ToHashSet();
        return Platform.LogEntries.Where(e => e.MappingGuid is { } g && mappings.Contains(g)).ToList();
    }

    protected int Requests => Logged().Count;

    protected WireMock.Server.WireMockServer Platform => app.Platform;
}

/// <summary>
/// Every call of the WRK Platform client against a WireMock platform (docs/wrk-platform-api.md): success, a 5xx then success
/// (retried), a 4xx (refused, not retried), and 429 with Retry-After (waited for, or handed back when too long).
/// </summary>
public sealed class HttpWrkPlatformClientTests(WrkPlatformHttpApp app) : PlatformCallTests(app), IClassFixture<WrkPlatformHttpApp>
{
    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_success_returns_the_platforms_answer_and_the_request_carries_the_token_and_body(string call)
    {
        Platform.Reset();
        Platform.Given(Matching(call)).RespondWith(Response.Create().WithStatusCode(call == "create" ? 201 : 200).WithBodyAsJson(SuccessBody(call)));

        var result = await CallAsync(call);

        Assert.Equal(PlatformOutcome.Ok, result.Outcome);
        if (result.Value is PlatformUsagePage page)
        {
            var row = Assert.Single(page.Items);
            Assert.Equal(new PlatformUsageRow(WorkflowId, new DateOnly(2026, 11, 29), 12, 11, 1, 0.6125m), row);
            Assert.Equal("page-2", page.NextCursor);
        }
        else
        {
            var workflow = Assert.IsType<PlatformWorkflow>(result.Value);
            Assert.Equal(WorkflowId, workflow.WorkflowId);
            Assert.Equal("https://platform.example/wf_42", workflow.Url);
            Assert.Equal(call == "activate" ? "active" : "inactive", workflow.Status);
        }
        var request = Assert.Single(Logged()).RequestMessage;
        Assert.Equal($"Bearer {WrkPlatformHttpApp.Token}", request.Headers!["Authorization"].Single());
        switch (call)
        {
            case "create":
                var body = JsonDocument.Parse(request.Body!).RootElement;
                Assert.Equal("ver_1", body.GetProperty("external_ref").GetString());
                Assert.Equal("ten_1", body.GetProperty("tenant_ref").GetString());
                Assert.Equal("Lead sync v1.0", body.GetProperty("name").GetString());
                Assert.Equal(1, body.GetProperty("blueprint").GetProperty("schema_version").GetInt32());
                break;
            case "update":
                Assert.Equal(["blueprint"], JsonDocument.Parse(request.Body!).RootElement.EnumerateObject().Select(p => p.Name).ToArray());
                break;
            case "usage":
                Assert.Equal("2026-11-01", request.Query!["from"].Single());
                Assert.Equal("2026-11-30", request.Query!["to"].Single());
                Assert.Equal("page-1", request.Query!["cursor"].Single());
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_5xx_is_retried_and_the_next_success_is_returned(string call)
    {
        Platform.Reset();
        Platform.Given(Matching(call)).InScenario("flaky-" + call).WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("upstream down"));
        Platform.Given(Matching(call)).InScenario("flaky-" + call).WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(SuccessBody(call)));

        var result = await CallAsync(call);

        Assert.Equal(PlatformOutcome.Ok, result.Outcome);
        Assert.Equal(2, Requests);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_4xx_is_refused_at_once_with_the_platforms_code_and_message(string call)
    {
        Platform.Reset();
        Platform.Given(Matching(call)).RespondWith(Response.Create().WithStatusCode(422)
            .WithHeader("Content-Type", "application/problem+json")
            .WithBodyAsJson(new { type = "about:blank", title = "Unprocessable", status = 422, code = "invalid_blueprint", detail = "Step st_1 uses an unknown connector." }));

        var result = await CallAsync(call);

        Assert.Equal(PlatformOutcome.Rejected, result.Outcome);
        Assert.Equal(422, result.Status);
        Assert.Equal("invalid_blueprint", result.Code);
        Assert.Equal("Step st_1 uses an unknown connector.", result.Error);
        Assert.Equal(1, Requests);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_429_waits_what_Retry_After_asks_then_succeeds(string call)
    {
        Platform.Reset();
        Platform.Given(Matching(call)).InScenario("limited-" + call).WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1"));
        Platform.Given(Matching(call)).InScenario("limited-" + call).WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(SuccessBody(call)));

        var result = await CallAsync(call);

        Assert.Equal(PlatformOutcome.Ok, result.Outcome);
        var times = Logged().Select(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal(2, times.Count);
        // The retry waited for the platform's Retry-After, not the 20 ms backoff.
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(900), $"retried after {times[1] - times[0]}");
    }

    [Fact]
    public async Task A_429_asking_to_wait_longer_than_a_call_may_is_handed_back_with_its_Retry_After()
    {
        Platform.Reset();
        Platform.Given(Matching("activate")).RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "120")
            .WithBodyAsJson(new { code = "rate_limited", detail = "Slow down." }));

        var result = await CallAsync("activate");

        Assert.Equal(PlatformOutcome.Unavailable, result.Outcome);
        Assert.Equal(429, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
        Assert.Contains("Slow down.", result.Error);
        Assert.Equal(1, Requests);
    }

    [Fact]
    public async Task A_5xx_on_every_attempt_is_unavailable_after_the_retries()
    {
        Platform.Reset();
        Platform.Given(Matching("create")).RespondWith(Response.Create().WithStatusCode(502).WithBody("bad gateway"));

        var result = await CallAsync("create");

        Assert.Equal(PlatformOutcome.Unavailable, result.Outcome);
        Assert.Equal(502, result.Status);
        Assert.Equal("The WRK Platform answered 502: bad gateway", result.Error);
        Assert.Equal(3, Requests);
    }

    [Fact]
    public async Task A_success_whose_body_is_not_the_documented_shape_is_unavailable_rather_than_a_crash()
    {
        Platform.Reset();
        Platform.Given(Matching("create")).RespondWith(Response.Create().WithStatusCode(201).WithBody("<html>maintenance</html>"));

        var result = await CallAsync("create");

        Assert.Equal(PlatformOutcome.Unavailable, result.Outcome);
        Assert.Contains("not the documented shape", result.Error);
    }
}

/// <summary>A platform slower than the attempt timeout (0.3 s): every attempt times out, for every call.</summary>
public sealed class HttpWrkPlatformTimeoutTests(WrkPlatformTimeoutApp app) : PlatformCallTests(app), IClassFixture<WrkPlatformTimeoutApp>
{
    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_platform_that_never_answers_in_time_is_unavailable_after_every_attempt_timed_out(string call)
    {
        Platform.Reset();
        Platform.Given(Matching(call)).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(SuccessBody(call))
            .WithDelay(TimeSpan.FromSeconds(3)));

        var result = await CallAsync(call);

        Assert.Equal(PlatformOutcome.Unavailable, result.Outcome);
        Assert.Equal("platform_unavailable", result.Code);
        Assert.Contains("did not answer within 0.3 s", result.Error);
        Assert.Null(result.Value);
    }
}

/// <summary>A platform that cannot be reached at all (nothing listens on its port).</summary>
public sealed class UnreachablePlatformApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("WrkPlatform:BaseUrl", "http://127.0.0.1:9/"),
        new("WrkPlatform:Timeout", "00:00:02"),
        new("WrkPlatform:Retries", "1"),
        new("WrkPlatform:RetryDelay", "00:00:00.010"),
        new("WrkPlatform:WebhookSecrets:0", WebhookSignatures.NewSecret()),
    ];
}

public sealed class UnreachablePlatformTests(UnreachablePlatformApp app) : IClassFixture<UnreachablePlatformApp>
{
    [Fact]
    public async Task A_platform_that_refuses_connections_is_unavailable_not_an_exception()
    {
        // A BaseUrl alone selects the HTTP client (no Mode needed).
        var client = app.PlatformClient();
        Assert.IsType<HttpWrkPlatformClient>(client);

        var result = await client.ActivateAsync("wf_1", CancellationToken.None);

        Assert.Equal(PlatformOutcome.Unavailable, result.Outcome);
        Assert.StartsWith("The WRK Platform could not be reached", result.Error);
    }
}

public sealed class ProductionWithoutPlatformApp : WrkApp
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Production");
    }
}

public sealed class ProductionPlatformConfigurationTests(ProductionWithoutPlatformApp app) : IClassFixture<ProductionWithoutPlatformApp>
{
    [Fact]
    public void Production_never_falls_back_to_the_simulator_silently()
    {
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("WrkPlatform:BaseUrl", ex.ToString());
    }

    [Fact]
    public void A_webhook_secret_must_have_the_whsec_prefix() =>
        Assert.Null(WrkCopilot.Features.Integrations.WrkPlatform.WebhookSignatures.KeyOf(Convert.ToBase64String(new byte[32])));
}
