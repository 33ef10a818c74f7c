using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Accepts or generates <c>X-Request-Id</c>, echoes it, and puts it in every log line of the request.</summary>
internal sealed class RequestContextMiddleware(RequestDelegate next, ILogger<RequestContextMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        var id = RequestIds.Resolve(ctx);
        using (logger.BeginScope(new Dictionary<string, object> { ["request_id"] = id }))
        {
            await next(ctx);
        }
    }
}

/// <summary>Adds tenant and user ids to the log scope once the caller is known.</summary>
internal sealed class SessionLogScopeMiddleware(RequestDelegate next, ILogger<SessionLogScopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext ctx, CurrentSession session)
    {
        if (session.Value is not { } s)
        {
            await next(ctx);
            return;
        }
        using (logger.BeginScope(new Dictionary<string, object?>
               {
                   ["tenant_id"] = s.TenantId,
                   ["user_id"] = s.UserId,
                   ["api_key_id"] = s.ApiKeyId,
               }))
        {
            await next(ctx);
        }
    }
}

/// <summary>
/// API keys satisfy only an endpoint's declared permission (flows.md): on an endpoint open to anonymous callers
/// (signup, login, refresh, password reset, invitation acceptance) a key is refused rather than ignored.
/// </summary>
internal sealed class ApiKeyScopeMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext ctx, CurrentSession session)
    {
        if (session.Value is { IsApiKey: true } &&
            ctx.GetEndpoint()?.Metadata is { } metadata &&
            metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null &&
            metadata.GetMetadata<AccessRequirement>()?.Permission is null)
        {
            await Problem.WriteAsync(ctx, 403, "forbidden", "API keys may not call this endpoint.");
            return;
        }
        await next(ctx);
    }
}

/// <summary>Any exception that escapes is a bug: log it, answer a problem 500 with the request id, leak nothing.</summary>
internal sealed class UnhandledErrorMiddleware(RequestDelegate next, ILogger<UnhandledErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        try
        {
            await next(ctx);
        }
        catch (Exception ex) when (ex is OperationCanceledException && ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            await Problem.WriteAsync(ctx, ex.StatusCode, ex.StatusCode == 413 ? "payload_too_large" : "bad_request", ex.Message);
        }
        catch (Exception ex) when (Tenancy.UnitOfWork.PostgresError(ex)?.SqlState is "22021" or "22P05" or "54000")
        {
            // Text PostgreSQL cannot store (a NUL from a path the JSON boundary does not cover) or too large to index.
            await Problem.WriteAsync(ctx, 400, "invalid_text", "A text value contains characters or a size the database cannot store.");
        }
        catch (Exception ex) when (Tenancy.UnitOfWork.PostgresError(ex)?.SqlState is "22003")
        {
            // A computed number beyond its column (e.g. volume × price): the inputs are refused, nothing was stored.
            logger.LogWarning(ex, "Numeric overflow on {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await Problem.WriteAsync(ctx, 400, "value_out_of_range", "A number in the request, or computed from it, is too large to store.");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Unhandled exception on {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await Problem.WriteAsync(ctx, 500, "internal_error", "An unexpected error occurred; quote the request id when reporting it.");
        }
    }
}

/// <summary>
/// A POST/PUT/PATCH with an empty body (no content type, or JSON) is read as <c>{}</c>, so a missing field is a 400 naming
/// it (and an endpoint whose fields are all optional, like logout, simply works) rather than a 415.
/// </summary>
internal sealed class EmptyBodyAsJsonMiddleware(RequestDelegate next)
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public Task InvokeAsync(HttpContext ctx)
    {
        var r = ctx.Request;
        if ((HttpMethods.IsPost(r.Method) || HttpMethods.IsPut(r.Method) || HttpMethods.IsPatch(r.Method)) &&
            (string.IsNullOrEmpty(r.ContentType) || r.HasJsonContentType()) &&
            (r.ContentLength ?? 0) == 0 && !r.Headers.ContainsKey("Transfer-Encoding"))
        {
            r.ContentType = "application/json";
            r.ContentLength = EmptyObject.Length;
            r.Body = new MemoryStream(EmptyObject, writable: false);
        }
        return next(ctx);
    }
}

/// <summary>
/// A body an endpoint reads as JSON but cannot read is 415 problem+json before the endpoint runs: sent to an endpoint that
/// accepts JSON without any Content-Type (FastEndpoints answered a bare 415 whose response had already started, so no problem body
/// could follow), or, to an endpoint that binds its body, with a charset .NET does not know (the JSON reader threw: a 500).
/// </summary>
internal sealed class JsonBodyContentTypeMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        var r = ctx.Request;
        var metadata = ctx.GetEndpoint()?.Metadata;
        var bindsBody = metadata?.GetMetadata<FastEndpoints.EndpointDefinition>() is { } definition &&
                        definition.ReqDtoType != typeof(FastEndpoints.EmptyRequest);
        var writes = HttpMethods.IsPost(r.Method) || HttpMethods.IsPut(r.Method) || HttpMethods.IsPatch(r.Method);
        // An empty body without a Content-Type was made JSON by EmptyBodyAsJsonMiddleware: this one has content. Routing refuses
        // it anyway for an endpoint declaring the JSON it accepts (the webhook included, which reads its body raw): this
        // answers that refusal as a problem instead of a bare 415.
        if (string.IsNullOrEmpty(r.ContentType) && writes &&
            metadata?.GetOrderedMetadata<IAcceptsMetadata>().Any(a => a.ContentTypes.Contains("application/json")) == true)
        {
            return Problem.WriteAsync(ctx, 415, "unsupported_media_type", "The request body must be sent as application/json.");
        }
        // Any method: FastEndpoints reads a JSON body on a GET too, and an unknown charset would throw there.
        if (bindsBody && r.HasJsonContentType() &&
            Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(r.ContentType, out var mediaType) &&
            !Microsoft.Extensions.Primitives.StringSegment.IsNullOrEmpty(mediaType.Charset) &&
            !IsKnownEncoding(Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(mediaType.Charset).ToString()))
        {
            return Problem.WriteAsync(ctx, 415, "unsupported_media_type", "The request's charset is not supported; send UTF-8 JSON.");
        }
        return next(ctx);
    }

    private static bool IsKnownEncoding(string charset)
    {
        try
        {
            _ = System.Text.Encoding.GetEncoding(charset);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}

/// <summary>
/// A NUL in a query value (<c>?type=%00</c>) can never be stored or matched (PostgreSQL text refuses it): 400 naming the
/// parameter, before any handler or query runs, instead of the database's generic refusal.
/// </summary>
internal sealed class QueryTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        foreach (var (name, values) in ctx.Request.Query)
        {
            if (values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return Problem.WriteAsync(ctx, [AppErrors.Validation("$." + name, "A query value may not contain the NUL character.")]);
            }
        }
        return next(ctx);
    }
}

internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext ctx)
    {
        var h = ctx.Response.Headers;
        h["X-Content-Type-Options"] = "nosniff";
        h["X-Frame-Options"] = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
        // The Swagger UI needs inline scripts and styles; the API itself serves only JSON.
        h["Content-Security-Policy"] = ctx.Request.Path.StartsWithSegments("/swagger")
            ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
            : "default-src 'none'; frame-ancestors 'none'";
        if (ctx.Request.Path.StartsWithSegments("/v1"))
        {
            h.CacheControl = "no-store";
        }
        return next(ctx);
    }
}

internal static class CorsSetup
{
    public const string PolicyName = "wrk-cors";

    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddWrkCors(
        this Microsoft.Extensions.DependencyInjection.IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration config)
    {
        var origins = config.GetSection($"{HttpOptions.Section}:CorsOrigins").Get<string[]>() ?? [];
        Microsoft.Extensions.DependencyInjection.CorsServiceCollectionExtensions.AddCors(services, o => o.AddPolicy(PolicyName, p =>
        {
            if (origins.Length > 0)
            {
                p.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod()
                    .WithExposedHeaders(RequestIds.Header, "ETag", "Retry-After", "Location");
            }
        }));
        return services;
    }
}
