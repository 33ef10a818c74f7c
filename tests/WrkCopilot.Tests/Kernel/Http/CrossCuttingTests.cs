using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

public sealed class CrossCuttingTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Request_id_is_echoed_or_generated_and_appears_in_problems()
    {
        using var client = app.Client();
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/signup") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        req.Headers.Add("X-Request-Id", "trace-me-123");
        var res = await client.SendAsync(req);

        Assert.Equal("trace-me-123", res.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("trace-me-123", (await res.ReadAsync()).GetProperty("request_id").GetString());

        var generated = await client.GetAsync("/health/live");
        Assert.False(string.IsNullOrEmpty(generated.Headers.GetValues("X-Request-Id").Single()));
    }

    [Theory]
    [InlineData("{\"email\": 5, \"password\": \"x\"}", "$.email", "The value has the wrong type.")]
    [InlineData("{\"email\": \"a@b.test\", \"password\": \"x\", \"tenant_id\": \"smuggled\"}", "$.tenant_id", "Unknown field.")]
    [InlineData("[1, 2]", "$", "The request body must be a JSON object.")]
    [InlineData("{\"email\": ", "$.email", "The request body is not valid JSON.")]
    [InlineData("", "$.email", "'email' must not be empty.")]
    public async Task Malformed_bodies_are_400_naming_the_path_without_internal_type_names(string body, string path, string message)
    {
        using var client = app.Client();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var res = await client.PostAsync("/v1/auth/login", content);

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var problem = await res.ReadAsync();
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(path).EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("System.", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("WrkCopilot.", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        using var client = app.Client();
        using var content = new ByteArrayContent([.. "{\"email\": \""u8, 0xff, 0xfe, .. "\", \"password\": \"x\"}"u8]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var res = await client.PostAsync("/v1/auth/login", content);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("validation_failed", (await res.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_bodyless_post_reads_as_an_empty_object_not_a_415()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client(user.AccessToken);
        var res = await client.PostAsync("/v1/auth/logout", content: null);
        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
    }

    [Fact]
    public async Task Security_headers_are_on_every_response()
    {
        using var client = app.Client();
        var res = await client.GetAsync("/v1/does-not-exist");
        Assert.Equal("nosniff", res.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", res.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", res.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-referrer", res.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_404_and_wrong_method_a_problem_405()
    {
        using var client = app.Client();
        var res = await client.GetAsync("/v1/does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal("not_found", (await res.ReadAsync()).GetProperty("code").GetString());

        var wrongMethod = await client.GetAsync("/v1/auth/signup");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("method_not_allowed", (await wrongMethod.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Bad_bearer_is_401_problem()
    {
        using var client = app.Client("not-a-token");
        var res = await client.GetAsync("/v1/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal("unauthorized", (await res.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        using var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cors_allows_only_configured_origins()
    {
        using var client = app.Client();
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            using var req = new HttpRequestMessage(HttpMethod.Options, "/v1/auth/login");
            req.Headers.Add("Origin", origin);
            req.Headers.Add("Access-Control-Request-Method", "POST");
            return await client.SendAsync(req);
        }
        var allowed = await Preflight("http://localhost:5173");
        Assert.Equal("http://localhost:5173", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var refused = await Preflight("https://evil.example");
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task OpenAPI_document_describes_every_endpoint_with_auth_and_errors()
    {
        using var client = app.Client();
        var res = await client.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var doc = await res.ReadAsync();
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Any());
        var endpoints = Security.ApiSurface.All(app);
        Assert.NotEmpty(endpoints);
        // Parameter names are cosmetic ({tenantId} in the route, {tenant_id} in the document): compare the shapes.
        static string Shape(string p) => System.Text.RegularExpressions.Regex.Replace("/" + p.TrimStart('/'), @"\{[^}]+\}", "{}");
        var paths = doc.GetProperty("paths").EnumerateObject().ToDictionary(p => Shape(p.Name), p => p.Value);
        foreach (var e in endpoints)
        {
            var path = Shape(e.Route);
            Assert.True(paths.TryGetValue(path, out var item), $"{path} is missing from the OpenAPI document");
            var m = e.Method;
            var op = item.GetProperty(m.ToLowerInvariant());
            var responses = op.GetProperty("responses");
            Assert.True(responses.TryGetProperty("400", out _), $"{m} {path} documents no 400");
            foreach (var r in responses.EnumerateObject().Where(r => int.Parse(r.Name) >= 400))
            {
                var schema = r.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
                Assert.True(schema!.EndsWith("/ProblemBody", StringComparison.Ordinal), $"{m} {path} {r.Name} uses {schema}");
            }
            Assert.True(responses.TryGetProperty("429", out _), $"{m} {path} documents no 429");
            var anonymous = e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
            var security = op.TryGetProperty("security", out var sec) ? sec.EnumerateArray().ToList() : [];
            // Which credential (JWT, API key, webhook signature) is Security/OpenApiDescriptionTests' concern; here: some, or none.
            var documentsCredential = security.Any(r => r.EnumerateObject().Any());
            var optionalBearer = e.Metadata.GetMetadata<WrkCopilot.Features.Kernel.Http.OptionalBearer>() is not null;
            var signedWebhook = e.Metadata.GetMetadata<WrkCopilot.Features.Kernel.Http.SignedWebhook>() is not null;
            Assert.True(documentsCredential == (!anonymous || optionalBearer || signedWebhook), $"{m} {path}: the document's security does not match its auth");
            if (!anonymous)
            {
                Assert.True(responses.TryGetProperty("401", out _), $"{m} {path} documents no 401");
            }
        }
    }
}
