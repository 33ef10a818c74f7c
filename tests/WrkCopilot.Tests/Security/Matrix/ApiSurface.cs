using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>The running app's <c>/v1/</c> endpoints as "METHOD /route", read from its <see cref="EndpointDataSource"/>.</summary>
public static class ApiSurface
{
    /// <summary>Every endpoint of the product; endpoints the test assembly itself declares (e.g. <c>/v1/test/*</c>) are not the API.</summary>
    public static IReadOnlyList<string> Endpoints(WrkApp app)
    {
        _ = app.Server; // build the host
        return app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => ("/" + e.RoutePattern.RawText!.TrimStart('/')).StartsWith("/v1/", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<EndpointDefinition>()?.EndpointType.Assembly != typeof(ApiSurface).Assembly)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Distinct()
            .ToList();
    }
}
