using System.Net;
using System.Text.Json;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeIngestion;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

/// <summary>The app with an OpenAI-compatible LLM (a WireMock server) and a short timeout.</summary>
public sealed class LlmWrkApp : WrkApp
{
    public WireMockServer Llm => ExternalService("llm");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Llm:BaseUrl", Llm.Url + "/v1"),
        new("Llm:ApiKey", "sk-test"),
        new("Llm:Model", "test-model"),
        new("Llm:Timeout", "00:00:04"), // a slow machine still answers well within it; the timeout case waits longer
    ];
}

public sealed class IngestionLlmTests(LlmWrkApp app) : IClassFixture<LlmWrkApp>
{
    private const string ChatPath = "/v1/chat/completions";

    private const string GoodBlueprint = """
        {"schema_version":1,"summary":"Sync leads","sections":[{"id":"sec_intake","title":"Intake","steps":[
          {"id":"st_new","type":"trigger","title":"New lead in Salesforce","system":"salesforce","next":["st_score"]},
          {"id":"st_score","type":"decision","title":"Score at least 50?","next":["st_copy","st_drop"]},
          {"id":"st_copy","type":"action","title":"Copy to HubSpot","system":"hubspot","next":[]},
          {"id":"st_drop","type":"action","title":"Archive the lead","next":[]}]}],"metadata":{}}
        """;

    // A decision with one branch: the schema refuses it at $.sections[0].steps[0].next.
    private const string InvalidBlueprint = """
        {"schema_version":1,"summary":"Sync leads","sections":[{"id":"sec_intake","title":"Intake","steps":[
          {"id":"st_score","type":"decision","title":"Score at least 50?","next":[]}]}],"metadata":{}}
        """;

    private static object Completion(string content) => new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
    };

    private async Task<(Caller Admin, Guid Version, HttpClient Client)> UploadAsync()
    {
        app.Llm.Reset();
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "lead-sync.md", IngestionOfflineTests.LeadSync)).ExpectAsync(HttpStatusCode.Created);
        return (admin, version, client);
    }

    private async Task<string> ArtifactStatusAsync(Guid version) =>
        (await app.ScalarAsync<string>("SELECT status FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)))!;

    private Task<long> JobsAsync(Guid tenant, string status) =>
        app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND queue = 'ai-ingestion' AND status = @s", ("t", tenant), ("s", status));

    private List<JsonElement> LlmRequests() =>
        app.Llm.LogEntries.Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement.Clone()).ToList();

    [Fact]
    public async Task A_good_answer_becomes_the_blueprint_with_intake_progress_100()
    {
        var (_, version, client) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(GoodBlueprint)));

        await app.DeliverOutboxAsync();

        var view = await IngestionOfflineTests.BlueprintAsync(client, version);
        var blueprint = view.GetProperty("blueprint");
        Assert.Equal(100, view.GetProperty("intake_progress").GetInt32());
        Assert.Empty(BlueprintSchema.Validate(blueprint, blueprint.GetRawText().Length));
        Assert.Equal(["st_new", "st_score", "st_copy", "st_drop"],
            IngestionOfflineTests.Steps(blueprint).Select(s => s.GetProperty("id").GetString()!).ToArray());
        Assert.Equal("processed", await ArtifactStatusAsync(version));

        var request = Assert.Single(LlmRequests());
        Assert.Equal("test-model", request.GetProperty("model").GetString());
        Assert.Equal("json_object", request.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("system", request.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Contains("Copy the lead to HubSpot", request.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal("Bearer sk-test", app.Llm.LogEntries.Single().RequestMessage.Headers!["Authorization"].Single());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'blueprint_updated' AND resource_id = @v AND metadata_json->>'extractor' = 'llm'",
            ("v", version)));
    }

    [Fact]
    public async Task An_invalid_answer_is_sent_back_with_its_validation_errors_once_and_the_corrected_answer_is_used()
    {
        var (_, version, client) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost()).InScenario("fix").WillSetStateTo("fixed")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(InvalidBlueprint)));
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost()).InScenario("fix").WhenStateIs("fixed")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(GoodBlueprint)));

        await app.DeliverOutboxAsync();

        var requests = LlmRequests();
        Assert.Equal(2, requests.Count);
        var followUp = requests[1].GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(4, followUp.Count);
        Assert.Equal("assistant", followUp[2].GetProperty("role").GetString());
        Assert.Contains("$.sections[0].steps[0].next", followUp[3].GetProperty("content").GetString());
        Assert.Equal(4, IngestionOfflineTests.Steps((await IngestionOfflineTests.BlueprintAsync(client, version)).GetProperty("blueprint")).Count());
        Assert.Equal("processed", await ArtifactStatusAsync(version));
    }

    [Fact]
    public async Task Two_invalid_answers_fail_the_artifact_with_the_errors_and_dead_letter_the_job()
    {
        var (admin, version, client) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(InvalidBlueprint)));

        await app.DeliverOutboxAsync();

        Assert.Equal(2, LlmRequests().Count);
        var artifact = (await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK)).GetProperty("data")[0];
        Assert.Equal("failed", artifact.GetProperty("status").GetString());
        Assert.Contains("$.sections[0].steps[0].next", artifact.GetProperty("error").GetString());
        Assert.Empty(IngestionOfflineTests.Steps((await IngestionOfflineTests.BlueprintAsync(client, version)).GetProperty("blueprint")));
        Assert.Equal(1, await JobsAsync(admin.TenantId, "dead"));
    }

    [Fact]
    public async Task A_timeout_retries_the_job_later_and_the_last_attempt_fails_the_artifact()
    {
        var (admin, version, _) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(GoodBlueprint)).WithDelay(TimeSpan.FromSeconds(12)));

        await app.DeliverOutboxAsync();

        Assert.Equal("pending", await ArtifactStatusAsync(version));
        Assert.Equal(1, await JobsAsync(admin.TenantId, "pending"));
        Assert.Contains("did not answer", await app.ScalarAsync<string>(
            "SELECT last_error FROM outbox WHERE tenant_id = @t AND queue = 'ai-ingestion'", ("t", admin.TenantId)));

        // The retry is its last attempt.
        await app.ExecuteAsync("UPDATE outbox SET available_at = now() - interval '1 second', max_attempts = attempts + 1 WHERE tenant_id = @t AND queue = 'ai-ingestion'",
            ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Equal("failed", await ArtifactStatusAsync(version));
        Assert.Equal(1, await JobsAsync(admin.TenantId, "dead"));
        Assert.Equal(100, await app.ScalarAsync<int>("SELECT intake_progress FROM automation_versions WHERE id = @v", ("v", version)));
    }

    [Fact]
    public async Task A_5xx_is_retried_and_a_later_attempt_succeeds()
    {
        var (admin, version, client) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(503));

        await app.DeliverOutboxAsync();

        Assert.Equal("pending", await ArtifactStatusAsync(version));
        Assert.Contains("503", await app.ScalarAsync<string>("SELECT last_error FROM outbox WHERE tenant_id = @t AND queue = 'ai-ingestion'", ("t", admin.TenantId)));
        Assert.Equal(0, (await IngestionOfflineTests.BlueprintAsync(client, version)).GetProperty("intake_progress").GetInt32());

        app.Llm.Reset();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(Completion(GoodBlueprint)));
        await app.ExecuteAsync("UPDATE outbox SET available_at = now() - interval '1 second' WHERE tenant_id = @t AND queue = 'ai-ingestion'", ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Equal("processed", await ArtifactStatusAsync(version));
        Assert.Equal(100, (await IngestionOfflineTests.BlueprintAsync(client, version)).GetProperty("intake_progress").GetInt32());
    }

    [Fact]
    public async Task A_refused_request_fails_the_artifact_without_retrying()
    {
        var (admin, version, _) = await UploadAsync();
        app.Llm.Given(Request.Create().WithPath(ChatPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(401));

        await app.DeliverOutboxAsync();

        Assert.Equal("failed", await ArtifactStatusAsync(version));
        Assert.Contains("401", await app.ScalarAsync<string>("SELECT error FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
        Assert.Equal(1, await JobsAsync(admin.TenantId, "dead"));
    }

    [Fact]
    public async Task A_tenant_with_ai_processing_off_never_reaches_the_llm()
    {
        app.Llm.Reset();
        var admin = await app.WorkspaceAdminAsync();
        await app.ExecuteAsync("UPDATE tenants SET ai_processing = false WHERE id = @t", ("t", admin.TenantId));
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "lead-sync.md", IngestionOfflineTests.LeadSync)).ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();

        Assert.Empty(app.Llm.LogEntries);
        Assert.Equal(6, IngestionOfflineTests.Steps((await IngestionOfflineTests.BlueprintAsync(client, version)).GetProperty("blueprint")).Count());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'blueprint_updated' AND resource_id = @v AND metadata_json->>'extractor' = 'offline'",
            ("v", version)));
    }
}
