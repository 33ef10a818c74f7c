using System.Diagnostics;
using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Tests.Infrastructure;
using WrkCopilot.Tests.Kernel.Outbox;

namespace WrkCopilot.Tests.Kernel.Observability;

public sealed class TracePropagationTests(TracingApp app) : IClassFixture<TracingApp>
{
    [Fact]
    public async Task The_request_its_outbox_job_and_the_platform_call_are_one_trace()
    {
        var platform = app.ExternalService("wrk-platform");
        var path = $"/builds/{Guid.NewGuid():N}";
        platform.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        var caller = await app.SignUpAsync();

        var res = await app.Client(caller.AccessToken).PostJsonAsync("/v1/test/platform-calls", new { path });
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var jobId = (await res.ReadAsync()).GetProperty("data").GetProperty("job_id").GetGuid();
        await app.DeliverOutboxAsync();

        Assert.Equal("done", await app.ScalarAsync<string>("SELECT status FROM outbox WHERE id = @id", ("id", jobId)));
        Assert.Single(platform.FindLogEntries(Request.Create().WithPath(path).UsingPost()));

        Activity? server = null, job = null, call = null;
        Assert.True(await OutboxDriver.EventuallyAsync(() =>
        {
            var spans = app.Spans.Snapshot();
            server = spans.FirstOrDefault(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == "/v1/test/platform-calls");
            job = spans.FirstOrDefault(a => a.Source.Name == OutboxJobRunner.Activities.Name && Equals(a.GetTagItem("wrk.job.id"), jobId));
            call = spans.FirstOrDefault(a => a.Kind == ActivityKind.Client && a.GetTagItem("url.full") is string url && url.EndsWith(path, StringComparison.Ordinal));
            return Task.FromResult(server is not null && job is not null && call is not null);
        }), "the request, job and platform call spans were not all exported");

        Assert.Equal(server!.TraceId, job!.TraceId);
        Assert.Equal(server.TraceId, call!.TraceId);
        // Parent links, not just a shared id: the job hangs off the request, the call off the job.
        Assert.Equal(server.SpanId, job.ParentSpanId);
        Assert.Equal(job.SpanId, call.ParentSpanId);
        Assert.Equal(Queues.BuildRequests, job.GetTagItem("messaging.destination.name"));
        Assert.Equal(caller.TenantId, job.GetTagItem("wrk.tenant.id"));
    }

    [Fact]
    public async Task A_signed_quote_its_build_job_and_the_WRK_Platform_call_are_one_trace()
    {
        var platform = app.ExternalService("wrk-platform");
        platform.Given(Request.Create().WithPath("/v1/workflows").UsingPost()).RespondWith(Response.Create().WithStatusCode(201)
            .WithHeader("Content-Type", "application/json")
            .WithBody("""{"workflow_id":"wf_traced","url":"https://platform.example/wf_traced","status":"inactive"}"""));
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var sign = await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/quotes/{priced.QuoteId}/status", new { status = "signed" });
        Assert.Equal(HttpStatusCode.OK, sign.StatusCode);
        await app.DeliverOutboxAsync();

        Assert.Equal("qa_testing", await app.ScalarAsync<string>("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        var jobId = await app.ScalarAsync<Guid>("SELECT id FROM outbox WHERE type = 'build_requested' AND tenant_id = @t", ("t", admin.TenantId));
        Activity? server = null, job = null, call = null;
        Assert.True(await OutboxDriver.EventuallyAsync(() =>
        {
            var spans = app.Spans.Snapshot();
            // The quote's status path served two requests (ops sent it, then the client signed it): the signature is the later one.
            server = spans.Where(a => a.Kind == ActivityKind.Server && a.GetTagItem("url.path") as string == $"/v1/quotes/{priced.QuoteId}/status")
                .MaxBy(a => a.StartTimeUtc);
            job = spans.FirstOrDefault(a => a.Source.Name == OutboxJobRunner.Activities.Name && Equals(a.GetTagItem("wrk.job.id"), jobId));
            call = job is null ? null : spans.FirstOrDefault(a => a.Kind == ActivityKind.Client && a.Source.Name == "System.Net.Http" && a.TraceId == job.TraceId);
            return Task.FromResult(server is not null && job is not null && call is not null);
        }), $"spans missing: server {server is not null}, job {job is not null}, call {call is not null}");

        Assert.Equal(server!.TraceId, job!.TraceId);
        Assert.Equal(server.SpanId, job.ParentSpanId);
        Assert.Equal(server.TraceId, call!.TraceId);
        Assert.EndsWith("/v1/workflows", call.GetTagItem("url.full") as string);
    }
}
