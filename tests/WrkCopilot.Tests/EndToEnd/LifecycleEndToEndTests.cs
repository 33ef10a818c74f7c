using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WrkCopilot.Features.Flows.Flow28_UsageAggregation;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.EndToEnd;

/// <summary>The app with the simulated WRK Platform delivering its signed run events through this app's own pipeline.</summary>
public sealed class LifecycleApp : WrkApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IRunEventSender>();
            s.AddSingleton<IRunEventSender>(new InProcessRunEventSender(this));
        });
    }

    private sealed class InProcessRunEventSender(WrkApp app) : IRunEventSender
    {
        public async Task<int?> SendAsync(SignedRunEvent runEvent, CancellationToken ct)
        {
            using var client = app.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wrk-run-event") { Content = new ByteArrayContent(runEvent.Body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            HttpRunEventSender.AddHeaders(request, runEvent);
            using var response = await client.SendAsync(request, ct);
            return (int)response.StatusCode;
        }
    }
}

/// <summary>
/// The whole lifecycle through HTTP only, against the simulated WRK Platform (issue 5): signup → automation → requirements →
/// submit → quote sent → signed → build → QA pass → launch → run events → usage → pause → resume → new version → launch, the
/// old version archived. Staff users and the outbox/aggregation ticks are the only things arranged outside the API.
/// </summary>
public sealed class LifecycleEndToEndTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private const string Requirements = """
        # Lead sync
        ## Intake
        - A new lead is created in Salesforce
        - If the lead score is at least 50?
        - Create the contact in HubSpot
        - Post a message to the sales channel in Slack
        """;

    [Fact]
    public async Task An_automation_goes_from_signup_to_a_second_live_version_and_the_first_is_archived()
    {
        var admin = await app.SignUpAsync(workspace: "Lifecycle Co");
        var ops = await app.StaffAsync("ops_admin");
        var operatorAdmin = await app.StaffAsync("admin");
        using var client = app.Client(admin.AccessToken);
        using var staff = app.Client(ops.AccessToken);

        // Flow 8: the automation and v1.0.
        var created = (await (await client.PostJsonAsync("/v1/automations", new { name = "Lead sync", department = "Sales" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        var automationId = created.GetProperty("automation").GetProperty("id").GetGuid();
        var v1 = created.GetProperty("version").GetProperty("id").GetGuid();

        // Flow 9 + the AI worker (offline extractor): requirements become a blueprint.
        await (await client.PostJsonAsync($"/v1/automation-versions/{v1}/requirements", new { text = Requirements })).ExpectAsync(HttpStatusCode.Created);
        await app.DeliverOutboxAsync();
        var blueprint = (await (await client.GetAsync($"/v1/automation-versions/{v1}/blueprint")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(100, blueprint.GetProperty("intake_progress").GetInt32());
        Assert.True(blueprint.GetProperty("step_count").GetInt32() >= 3);

        await ShipAsync(client, staff, admin.TenantId, v1);

        // Run events from the platform reach the webhook, signed, and usage follows.
        var binding = (await (await client.GetAsync($"/v1/automation-versions/{v1}/workflow-binding")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("active", binding.GetProperty("status").GetString());
        var workflowId = binding.GetProperty("wrk_workflow_id").GetString()!;
        var emitted = (await (await app.Client(operatorAdmin.AccessToken).PostJsonAsync("/v1/admin/simulator/run-events",
            new { workflow_id = workflowId, count = 20, failure_rate = 0.25 })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(20, emitted.GetProperty("delivered").GetInt32());
        await DrainUsageAsync();
        var usage = (await (await client.GetAsync($"/v1/automation-versions/{v1}/usage?granularity=day")).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data").GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(20, usage.Sum(u => u.GetProperty("run_count").GetInt64()));
        Assert.Equal(emitted.GetProperty("failed").GetInt32(), usage.Sum(u => (int)u.GetProperty("failure_count").GetInt64()));
        var runs = (await (await client.GetAsync($"/v1/automation-versions/{v1}/runs?limit=200")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(20, runs.GetArrayLength());

        // Flows 24A/24B: pause and resume.
        Assert.Equal("paused", await StatusAfterAsync(client.PostJsonAsync($"/v1/automation-versions/{v1}/pause", new { })));
        Assert.Equal("live", await StatusAfterAsync(client.PostJsonAsync($"/v1/automation-versions/{v1}/resume", new { })));

        // Flow 12: v1.1 goes through the same path while v1.0 stays live; launching it archives v1.0.
        var v11 = (await (await client.PostJsonAsync($"/v1/automations/{automationId}/versions", new { bump = "minor", notes = "Alert in Slack too" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("version").GetProperty("id").GetGuid();
        await ShipAsync(client, staff, admin.TenantId, v11);

        var versions = (await (await client.GetAsync($"/v1/automations/{automationId}/versions")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data")
            .EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("status").GetString());
        Assert.Equal("live", versions["v1.1"]);
        Assert.Equal("archived", versions["v1.0"]);
        var oldBinding = (await (await client.GetAsync($"/v1/automation-versions/{v1}/workflow-binding")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("inactive", oldBinding.GetProperty("status").GetString());
        var automation = (await (await client.GetAsync($"/v1/automations/{automationId}")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("live", automation.GetProperty("status").GetString());
        Assert.Equal("v1.1", automation.GetProperty("latest_version").GetProperty("version").GetString());
    }

    /// <summary>Submit → ops send the draft → client signs → build (worker) → checklist closed → QA pass → launch.</summary>
    private async Task ShipAsync(HttpClient client, HttpClient staff, Guid tenantId, Guid versionId)
    {
        var quoteId = (await (await client.PostJsonAsync($"/v1/automation-versions/{versionId}/submit", new { })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data").GetProperty("quote").GetProperty("id").GetGuid();
        await (await staff.PatchJsonAsync($"/v1/quotes/{quoteId}/status", new { status = "sent" })).ExpectAsync(HttpStatusCode.OK);
        await (await client.PatchJsonAsync($"/v1/quotes/{quoteId}/status", new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("build_in_progress", await StatusOfAsync(client, versionId));

        await app.DeliverOutboxAsync(); // the build worker creates the workflow on the simulator and moves the version to QA (T5)
        Assert.Equal("qa_testing", await StatusOfAsync(client, versionId));

        var checklist = (await (await staff.GetAsync($"/v1/admin/tasks?tenant_id={tenantId}&kind=build_checklist&context_type=automation_version&context_id={versionId}&limit=200"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(checklist);
        foreach (var task in checklist)
        {
            await (await staff.PatchJsonAsync($"/v1/tasks/{task.GetProperty("id").GetGuid()}/status", new { status = "done" })).ExpectAsync(HttpStatusCode.OK);
        }
        Assert.Equal("ready_to_launch", await StatusAfterAsync(staff.PostJsonAsync($"/v1/automation-versions/{versionId}/qa", new { result = "pass", notes = "All good" })));
        Assert.Equal("live", await StatusAfterAsync(client.PostJsonAsync($"/v1/automation-versions/{versionId}/launch", new { })));
    }

    private static async Task<string> StatusAfterAsync(Task<HttpResponseMessage> call) =>
        (await (await call).ExpectAsync(HttpStatusCode.OK)).GetProperty("data").GetProperty("status").GetString()!;

    private static async Task<string> StatusOfAsync(HttpClient client, Guid versionId) =>
        (await (await client.GetAsync($"/v1/automation-versions/{versionId}/blueprint")).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data").GetProperty("status").GetString()!;

    private async Task DrainUsageAsync()
    {
        await using var scope = app.Scope();
        await scope.ServiceProvider.GetRequiredService<UsageAggregator>().DrainAsync(CancellationToken.None);
    }
}
