using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

/// <summary>The frontend generates its client from these shapes: frozen as reviewed snapshots.</summary>
public sealed class ProblemShapeTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Validation_problem_shape()
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email = "nope", password = "short", name = "", workspace_name = "W" });
        var body = JObject.Parse(await res.Content.ReadAsStringAsync());
        body["request_id"] = "<request id>";
        Snapshot.Match(body);
    }

    [Fact]
    public async Task Token_response_shape()
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email = Identities.NewEmail(), password = Identities.Password, name = "A", workspace_name = "W" });
        var body = JObject.Parse(await res.Content.ReadAsStringAsync());
        foreach (var volatileField in new[] { "access_token", "refresh_token", "tenant_id", "user_id" })
        {
            body["data"]![volatileField] = $"<{volatileField}>";
        }
        Snapshot.Match(body);
    }
}
