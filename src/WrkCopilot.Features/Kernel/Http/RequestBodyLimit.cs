using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Endpoint metadata: the largest request body this endpoint reads (bytes), instead of <see cref="HttpOptions.MaxRequestBodyBytes"/>.
/// <paramref name="NonMultipartBytes"/>: a lower limit for bodies that are not <c>multipart/form-data</c> (an upload endpoint that
/// also takes JSON must not deserialize a 100 MB JSON body).
/// </summary>
public sealed record RequestBodyLimit(long Bytes, long? NonMultipartBytes = null)
{
    public long For(HttpRequest request) =>
        NonMultipartBytes is { } json && request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true
            ? json
            : Bytes;
}

/// <summary>
/// A body larger than the endpoint allows is 413 before anything reads it: by its <c>Content-Length</c> at once, and
/// by the server's body-size feature for a chunked body (Kestrel then fails the read, answered 413 by
/// <see cref="UnhandledErrorMiddleware"/>). Endpoints that take uploads raise their own limit with <see cref="RequestBodyLimit"/>.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<HttpOptions> options)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var limit = ctx.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimit>()?.For(ctx.Request) ?? options.Value.MaxRequestBodyBytes;
        if (ctx.Request.ContentLength > limit)
        {
            await Problem.WriteAsync(ctx, 413, "payload_too_large",
                $"The request body is {ctx.Request.ContentLength:N0} bytes; this endpoint accepts at most {limit:N0}.");
            return;
        }
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        await next(ctx);
    }
}
