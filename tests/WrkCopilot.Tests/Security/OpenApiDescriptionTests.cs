using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>
/// The served OpenAPI document says, for every /v1 endpoint, who may call it as the endpoint's own access metadata does
/// (JWT, API key, webhook signature, or nobody), and bounds what a request may carry (the OWASP API4 checks that .ci/run
/// also runs with Spectral, here so that <c>dotnet test</c> alone catches a regression).
/// </summary>
public sealed class OpenApiDescriptionTests(WrkApp app) : IClassFixture<WrkApp>
{
    private readonly Lazy<Task<JsonElement>> _document = new(async () =>
    {
        using var client = app.Client();
        return await (await client.GetAsync("/swagger/v1/swagger.json")).ReadAsync();
    });

    /// <summary>Every /v1 operation of the app: "GET /v1/…" with its metadata, the route's parameter names as in the document.</summary>
    private List<(string Method, string Path, EndpointMetadataCollection Metadata)> Operations() =>
        ApiSurface.All(app).Select(o => (o.Method.ToLowerInvariant(), o.Route, o.Metadata)).ToList();

    private static JsonElement Operation(JsonElement doc, string method, string route)
    {
        // Parameter names are cosmetic ({tenantId} in the route, {tenant_id} in the document): match the shapes.
        static string Shape(string p) => System.Text.RegularExpressions.Regex.Replace(p, @"\{[^}]+\}", "{}");
        var item = doc.GetProperty("paths").EnumerateObject().Single(p => Shape(p.Name) == Shape(route)).Value;
        return item.GetProperty(method);
    }

    [Fact]
    public async Task Every_operation_documents_the_credentials_its_endpoint_accepts_and_says_who_may_call_it()
    {
        var doc = await _document.Value;
        var operations = Operations();
        Assert.True(operations.Count >= 80, $"only {operations.Count} /v1 operations found");
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Contains("RFC8725", schemes.GetProperty("JWTBearerAuth").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", schemes.GetProperty("ApiKeyAuth").GetProperty("scheme").GetString());
        Assert.Equal("webhook-signature", schemes.GetProperty("WebhookSignature").GetProperty("name").GetString());

        foreach (var (method, path, metadata) in operations)
        {
            var op = Operation(doc, method, path);
            var security = op.TryGetProperty("security", out var s) ? s.EnumerateArray().ToList() : [];
            var documented = security.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToHashSet();
            var access = metadata.GetMetadata<AccessRequirement>();
            var anyUser = metadata.GetMetadata<AnyUserRequirement>();
            var expected = new HashSet<string>();
            if (access is { AllowedRoles.Count: > 0 } || anyUser is not null || metadata.GetMetadata<OptionalBearer>() is not null)
            {
                expected.Add("JWTBearerAuth");
            }
            if (access?.Permission is not null || anyUser?.AllowApiKeys == true)
            {
                expected.Add("ApiKeyAuth");
            }
            if (metadata.GetMetadata<SignedWebhook>() is not null)
            {
                expected.Add("WebhookSignature");
            }
            Assert.True(expected.SetEquals(documented),
                $"{method} {path}: documents [{string.Join(", ", documented)}], accepts [{string.Join(", ", expected)}]");
            Assert.True(expected.Count > 0 || metadata.GetMetadata<IAllowAnonymous>() is not null, $"{method} {path} needs a credential the document does not name");
            Assert.Contains("**Access:**", op.GetProperty("description").GetString(), StringComparison.Ordinal);

            var responses = op.GetProperty("responses");
            Assert.True(responses.TryGetProperty("500", out _), $"{method} {path} documents no 500");
            Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _),
                $"{method} {path}: its 429 documents no Retry-After");
        }
    }

    [Fact]
    public async Task Every_string_array_and_integer_a_request_carries_is_bounded()
    {
        var doc = await _document.Value;
        var unbounded = new List<string>();
        foreach (var (method, path, _) in Operations())
        {
            var op = Operation(doc, method, path);
            if (op.TryGetProperty("parameters", out var parameters))
            {
                foreach (var p in parameters.EnumerateArray())
                {
                    CheckBounded(doc, p.GetProperty("schema"), $"{method} {path} {p.GetProperty("name").GetString()}", unbounded, []);
                }
            }
            if (op.TryGetProperty("requestBody", out var body))
            {
                foreach (var media in body.GetProperty("content").EnumerateObject())
                {
                    CheckBounded(doc, media.Value.GetProperty("schema"), $"{method} {path} body ({media.Name})", unbounded, []);
                }
            }
        }
        Assert.True(unbounded.Count == 0, "Unbounded request values:\n" + string.Join("\n", unbounded));
    }

    private static void CheckBounded(JsonElement doc, JsonElement schema, string where, List<string> unbounded, HashSet<string> seen)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            if (seen.Add(name))
            {
                CheckBounded(doc, doc.GetProperty("components").GetProperty("schemas").GetProperty(name), $"{where} → {name}", unbounded, seen);
            }
            return;
        }
        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
        bool Has(string keyword) => schema.TryGetProperty(keyword, out _);
        switch (type)
        {
            case "string" when !Has("maxLength") && !Has("enum"):
                unbounded.Add($"{where}: string without maxLength or enum");
                break;
            case "array" when !Has("maxItems"):
                unbounded.Add($"{where}: array without maxItems");
                break;
            case "integer" when !Has("minimum") || !Has("maximum"):
                unbounded.Add($"{where}: integer without minimum and maximum");
                break;
            case "object" when schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind != JsonValueKind.False:
                unbounded.Add($"{where}: object open to additional properties");
                break;
        }
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var p in properties.EnumerateObject())
            {
                CheckBounded(doc, p.Value, $"{where}.{p.Name}", unbounded, seen);
            }
        }
        foreach (var keyword in new[] { "items", "additionalProperties" })
        {
            if (schema.TryGetProperty(keyword, out var child) && child.ValueKind == JsonValueKind.Object)
            {
                CheckBounded(doc, child, $"{where}[]", unbounded, seen);
            }
        }
        foreach (var keyword in new[] { "allOf", "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var list))
            {
                foreach (var child in list.EnumerateArray())
                {
                    CheckBounded(doc, child, where, unbounded, seen);
                }
            }
        }
    }
}
