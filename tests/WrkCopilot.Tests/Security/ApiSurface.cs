using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>One method of one <c>/v1/</c> route of the running app, with the endpoint's metadata.</summary>
public sealed record ApiOperation(string Method, string Route, RouteEndpoint Endpoint)
{
    /// <summary>"METHOD /v1/route/{id}", as the access table and failure messages name it.</summary>
    public string Name => $"{Method} {Route}";

    public EndpointMetadataCollection Metadata => Endpoint.Metadata;

    /// <summary>Declared by this test assembly (e.g. <c>/v1/test/fragile-widgets</c>, which fails on purpose), not the product's API.</summary>
    public bool DeclaredByTests => Metadata.GetMetadata<EndpointDefinition>()?.EndpointType.Assembly == typeof(ApiOperation).Assembly;
}

/// <summary>
/// The API as the running app has it, read from its <see cref="EndpointDataSource"/> — never a hand-written list — so every
/// systematic suite (access table, RBAC and isolation matrices, fuzzing, auth attacks, OpenAPI checks) covers an endpoint added
/// later without anyone remembering to.
/// </summary>
public static class ApiSurface
{
    /// <summary>Every <c>/v1/</c> operation, the test assembly's own included, ordered by route then method.</summary>
    public static IReadOnlyList<ApiOperation> All(WrkApp app)
    {
        _ = app.Server; // build the host
        return app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Route: "/" + e.RoutePattern.RawText!.TrimStart('/'), Endpoint: e))
            .Where(e => e.Route.StartsWith("/v1/", StringComparison.Ordinal))
            .SelectMany(e => e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => new ApiOperation(m, e.Route, e.Endpoint)))
            .OrderBy(o => o.Route, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The product's operations: <see cref="All"/> without those the test assembly declares.</summary>
    public static IReadOnlyList<ApiOperation> Product(WrkApp app) => All(app).Where(o => !o.DeclaredByTests).ToList();

    /// <summary>The product's operations by name ("METHOD /route").</summary>
    public static IReadOnlyList<string> Endpoints(WrkApp app) => Product(app).Select(o => o.Name).Distinct().ToList();
}
