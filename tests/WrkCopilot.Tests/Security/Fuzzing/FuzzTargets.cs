using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastEndpoints;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security.Fuzzing;

public enum FieldKind { Text, WholeNumber, Number, Boolean, Uuid, Enum, DateTime, Date, Array, JsonObject }

/// <summary>One JSON member of a request: its wire name, what it holds, and the enum names it accepts.</summary>
public sealed record FuzzField(string Name, FieldKind Kind, IReadOnlyList<string> EnumValues);

/// <summary>Who calls the endpoint in the fuzz: a caller the endpoint admits, so that input handling is what is exercised.</summary>
public enum CallAs { Anonymous, SignedWebhook, Client, Staff, ApiKey }

/// <summary>
/// An endpoint as the running app declares it: its route, the caller it admits (from its access metadata) and the shape of its
/// request (from FastEndpoints' definition: route, query, header and body members of the request DTO).
/// </summary>
public sealed record FuzzTarget(
    string Method,
    string Route,
    CallAs Caller,
    string Role,
    IReadOnlyList<string> RouteParams,
    IReadOnlyList<FuzzField> Body,
    IReadOnlyList<FuzzField> Query,
    IReadOnlyList<string> Headers,
    bool Idempotent)
{
    public string Name => $"{Method} {Route}";

    /// <summary>Whether the method carries a JSON body (POST, PUT, PATCH).</summary>
    public bool TakesBody => Method is "POST" or "PUT" or "PATCH";

    /// <summary>
    /// Every operation of <see cref="ApiSurface.Product"/>: every <c>/v1/</c> route and method, less the endpoints this test
    /// project defines for its own tests (e.g. <c>/v1/test/fragile-widgets</c>, which fails on purpose).
    /// </summary>
    public static IReadOnlyList<FuzzTarget> All(WrkApp app) =>
        ApiSurface.Product(app).Select(o => From(o.Endpoint, o.Method)).ToList();

    private static FuzzTarget From(RouteEndpoint e, string method)
    {
        var route = "/" + e.RoutePattern.RawText!.TrimStart('/');
        var routeParams = e.RoutePattern.Parameters.Select(p => p.Name).ToList();
        var dto = e.Metadata.GetMetadata<EndpointDefinition>()?.ReqDtoType;
        if (dto is null || dto == typeof(EmptyRequest))
        {
            // An endpoint that reads its body raw (the webhook) still declares the JSON it accepts.
            dto = e.Metadata.GetOrderedMetadata<IAcceptsMetadata>().Select(a => a.RequestType).FirstOrDefault(t => t is not null);
        }
        var body = new List<FuzzField>();
        var query = new List<FuzzField>();
        var headers = new List<string>();
        var takesBody = method is "POST" or "PUT" or "PATCH";
        foreach (var p in dto?.GetProperties(BindingFlags.Public | BindingFlags.Instance) ?? [])
        {
            if (!p.CanWrite || p.GetCustomAttribute<JsonIgnoreAttribute>() is not null || p.GetCustomAttribute<FromClaimAttribute>() is not null)
            {
                continue;
            }
            if (p.GetCustomAttribute<FromHeaderAttribute>() is { } header)
            {
                headers.Add(header.HeaderName ?? p.Name);
                continue;
            }
            if (routeParams.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            var field = Field(p);
            if (!takesBody || p.GetCustomAttribute<QueryParamAttribute>() is not null)
            {
                query.Add(field);
            }
            else
            {
                body.Add(field);
            }
        }
        var (caller, role) = CallerFor(e.Metadata, route);
        return new FuzzTarget(method, route, caller, role, routeParams, body, query, headers,
            e.Metadata.GetMetadata<IdempotentCreate>() is not null);
    }

    /// <summary>A caller the endpoint's declaration admits: anonymous (signed for webhooks), a client role, a staff role or an API key.</summary>
    private static (CallAs, string) CallerFor(EndpointMetadataCollection metadata, string route)
    {
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return (route.StartsWith("/v1/webhooks/", StringComparison.Ordinal) ? CallAs.SignedWebhook : CallAs.Anonymous, "");
        }
        if (metadata.GetMetadata<AccessRequirement>() is { } access)
        {
            if (access.AllowedRoles.Contains(AppRoles.ClientAdmin))
            {
                return (CallAs.Client, "admin");
            }
            if (access.AllowedRoles.FirstOrDefault(r => r.StartsWith("client:", StringComparison.Ordinal)) is { } client)
            {
                return (CallAs.Client, client["client:".Length..]);
            }
            if (access.AllowedRoles.FirstOrDefault(r => r.StartsWith("operator:", StringComparison.Ordinal)) is { } staff)
            {
                return (CallAs.Staff, staff["operator:".Length..]);
            }
            if (access.Permission is not null)
            {
                return (CallAs.ApiKey, access.Permission);
            }
        }
        return (CallAs.Client, "admin");
    }

    private static FuzzField Field(PropertyInfo p)
    {
        var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        if (type.IsEnum)
        {
            return new FuzzField(name, FieldKind.Enum,
                Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToList());
        }
        var kind = type switch
        {
            _ when type == typeof(string) => FieldKind.Text,
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => FieldKind.WholeNumber,
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => FieldKind.Number,
            _ when type == typeof(bool) => FieldKind.Boolean,
            _ when type == typeof(Guid) => FieldKind.Uuid,
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => FieldKind.DateTime,
            _ when type == typeof(DateOnly) => FieldKind.Date,
            _ when type == typeof(JsonElement) || typeof(IDictionary).IsAssignableFrom(type) => FieldKind.JsonObject,
            _ when type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) => FieldKind.Array,
            _ => FieldKind.JsonObject,
        };
        return new FuzzField(name, kind, []);
    }
}
