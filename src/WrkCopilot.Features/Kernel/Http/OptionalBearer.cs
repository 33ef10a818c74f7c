using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Endpoint metadata: open to anonymous callers, but a bearer token changes what it does (e.g. invitation acceptance).</summary>
public sealed class OptionalBearer;

/// <summary>Documents <see cref="OptionalBearer"/> endpoints as "no auth, or a JWT" so generated clients send a token when they have one.</summary>
internal sealed class OptionalBearerOperationProcessor : IOperationProcessor
{
    public const string SchemeName = "JWTBearerAuth";

    public bool Process(OperationProcessorContext context)
    {
        if (context is AspNetCoreOperationProcessorContext aspNet &&
            aspNet.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<OptionalBearer>().Any())
        {
            context.OperationDescription.Operation.Security =
            [
                new OpenApiSecurityRequirement(),
                new OpenApiSecurityRequirement { { SchemeName, [] } },
            ];
        }
        return true;
    }
}
