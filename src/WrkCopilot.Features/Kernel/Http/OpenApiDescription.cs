using System.Text;
using NJsonSchema;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Endpoint metadata: no JWT nor API key; the Standard Webhooks signature of the WRK Platform is the credential.</summary>
public sealed class SignedWebhook;

/// <summary>
/// Makes each operation of the OpenAPI document say who may call it, from the same endpoint metadata that authorises
/// requests (<see cref="AccessRequirement"/>, <see cref="AnyUserRequirement"/>, <see cref="OptionalBearer"/>,
/// <see cref="SignedWebhook"/>): its security requirements (a JWT, an API key, or a webhook signature) and an
/// "Access:" line in its description. Also notes the endpoint's request body limit for <see cref="OpenApiLimitsDocumentProcessor"/>.
/// </summary>
internal sealed class OpenApiAccessOperationProcessor(long defaultMaxRequestBodyBytes) : IOperationProcessor
{
    public const string JwtScheme = "JWTBearerAuth";
    public const string ApiKeyScheme = "ApiKeyAuth";
    public const string WebhookScheme = "WebhookSignature";
    internal const string JsonBodyLimitKey = "x-wrk-json-body-limit";
    internal const string MultipartBodyLimitKey = "x-wrk-multipart-body-limit";

    public bool Process(OperationProcessorContext context)
    {
        if (context is not AspNetCoreOperationProcessorContext aspNet)
        {
            return true;
        }
        var metadata = aspNet.ApiDescription.ActionDescriptor.EndpointMetadata;
        var operation = context.OperationDescription.Operation;
        var (security, access) = Describe(metadata);
        operation.Security = security;
        operation.Description = string.IsNullOrWhiteSpace(operation.Description) ? access : $"{operation.Description}\n\n{access}";

        var limit = metadata.OfType<RequestBodyLimit>().LastOrDefault();
        operation.ExtensionData ??= new Dictionary<string, object?>();
        operation.ExtensionData[JsonBodyLimitKey] = limit is null ? defaultMaxRequestBodyBytes : limit.NonMultipartBytes ?? limit.Bytes;
        operation.ExtensionData[MultipartBodyLimitKey] = limit?.Bytes ?? defaultMaxRequestBodyBytes;
        return true;
    }

    private static (List<OpenApiSecurityRequirement>? Security, string Access) Describe(IList<object> metadata)
    {
        if (metadata.OfType<SignedWebhook>().Any())
        {
            return ([Requirement(WebhookScheme)],
                "**Access:** the WRK Platform only, by its Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`); no JWT nor API key.");
        }
        if (metadata.OfType<OptionalBearer>().Any())
        {
            return ([new OpenApiSecurityRequirement(), Requirement(JwtScheme)],
                "**Access:** anonymous; a user's JWT is honoured when sent (never an API key).");
        }
        if (metadata.OfType<AccessRequirement>().LastOrDefault() is { } required)
        {
            var security = new List<OpenApiSecurityRequirement>();
            var text = new StringBuilder("**Access:** ");
            if (required.AllowedRoles.Count > 0)
            {
                security.Add(Requirement(JwtScheme));
                text.Append("a JWT session holding one of the roles ").AppendJoin(", ", required.AllowedRoles.Select(r => $"`{r}`"));
            }
            if (required.Permission is { } permission)
            {
                security.Add(Requirement(ApiKeyScheme));
                text.Append(required.AllowedRoles.Count > 0 ? "; or " : "").Append($"an API key holding `{permission}`");
            }
            else
            {
                text.Append(" (API keys are refused)");
            }
            return (security, text.Append('.').ToString());
        }
        if (metadata.OfType<AnyUserRequirement>().LastOrDefault() is { } anyUser)
        {
            return anyUser.AllowApiKeys
                ? ([Requirement(JwtScheme), Requirement(ApiKeyScheme)], "**Access:** any signed-in session or API key.")
                : ([Requirement(JwtScheme)], "**Access:** any signed-in session (API keys are refused).");
        }
        return (null, "**Access:** anonymous, rate limited per client IP.");
    }

    private static OpenApiSecurityRequirement Requirement(string scheme) => new() { { scheme, [] } };
}

/// <summary>
/// Completes the document once every operation is described: the security schemes, the tags, the <c>Retry-After</c> header
/// of 429 and 503 answers, and the limits the server already enforces on what a request may carry, so that
/// generated clients and the OWASP lint see them:
/// <list type="bullet">
/// <item>identifiers, dates and date-times by their fixed formats (a GUID has 36 characters; System.Text.Json
/// reads no date-time longer than 42 characters);</item>
/// <item>the list paging parameters as <see cref="PageQueryRules"/> checks them;</item>
/// <item>any other query or path string by Kestrel's request line limit (8 KB), a header by its header limit (32 KB);</item>
/// <item>any other string or array of a request body by that endpoint's body limit (<see cref="RequestBodyLimit"/>, 413 beyond):
/// a JSON string has at most as many characters as the body has bytes, an array at most half as many items.</item>
/// </list>
/// Limits a validator states (FluentValidation's MaximumLength, InclusiveBetween, …) are already in the schemas and win.
/// Request schemas no operation uses (e.g. of a GET whose fields are all route or query parameters) are dropped.
/// </summary>
internal sealed class OpenApiLimitsDocumentProcessor : IDocumentProcessor
{
    public const int GuidLength = 36;
    public const int DateLength = 10;
    public const int DateTimeMaxLength = 42;
    public const int RequestLineBytes = 8 * 1024;
    public const int RequestHeadersBytes = 32 * 1024;
    public const int CursorMaxLength = 128;

    public void Process(DocumentProcessorContext context)
    {
        var document = context.Document;
        document.Info.Description =
            "WRK Copilot: workspaces, automations and their versions, requirements, blueprints, quotes, builds, runs, usage and billing. " +
            "Every answer is JSON (`{ \"data\": … }`, lists with `meta.next_cursor`); every error is `application/problem+json` with a " +
            "`code` and the `request_id`. Each operation's description ends with who may call it. All requests are rate limited " +
            "(429 with `Retry-After`) and bodies are size limited (413).";
        document.Info.Contact = new OpenApiContact { Name = "WRK Copilot team" };
        DescribeSchemes(document.Components.SecuritySchemes);

        document.Tags = document.Operations.SelectMany(o => o.Operation.Tags ?? []).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t }).ToList();

        // The largest limit first: a schema shared by two endpoints keeps the bound of the one that accepts more.
        foreach (var description in document.Operations.OrderByDescending(o => Limit(o.Operation, OpenApiAccessOperationProcessor.JsonBodyLimitKey)))
        {
            var operation = description.Operation;
            foreach (var parameter in operation.ActualParameters)
            {
                LimitParameter(parameter);
            }
            if (operation.RequestBody?.Content is { } content)
            {
                foreach (var (mediaType, media) in content)
                {
                    var limit = Limit(operation, mediaType.StartsWith("multipart/", StringComparison.Ordinal)
                        ? OpenApiAccessOperationProcessor.MultipartBodyLimitKey
                        : OpenApiAccessOperationProcessor.JsonBodyLimitKey);
                    LimitBody(media.Schema, limit, []);
                }
            }
            foreach (var (status, response) in operation.ActualResponses)
            {
                if (status is "429" or "503")
                {
                    response.Headers["Retry-After"] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before retrying.",
                        Schema = new JsonSchema { Type = JsonObjectType.Integer, Format = JsonFormatStrings.Integer, Minimum = 1 },
                    };
                }
            }
        }
        foreach (var description in document.Operations)
        {
            description.Operation.ExtensionData?.Remove(OpenApiAccessOperationProcessor.JsonBodyLimitKey);
            description.Operation.ExtensionData?.Remove(OpenApiAccessOperationProcessor.MultipartBodyLimitKey);
        }
        DropUnusedSchemas(document);
    }

    private static void DescribeSchemes(IDictionary<string, OpenApiSecurityScheme> schemes)
    {
        schemes[OpenApiAccessOperationProcessor.JwtScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "`Authorization: Bearer <JWT>`: an access token this API issued (login, refresh, switch-tenant; HS256, " +
                          "about 15 minutes) or one of a configured external identity provider (RS256/RS384/ES256/PS256). Following " +
                          "RFC8725, the accepted algorithms are fixed per issuer (never `none`, never chosen by the token), and issuer, " +
                          "audience, lifetime and signature are always checked; the tenant and roles come from the server's memberships.",
        };
        schemes[OpenApiAccessOperationProcessor.ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "wrk_live_…",
            Description = "`Authorization: Bearer wrk_live_…`: an API key a workspace admin created (POST /v1/api-keys; stored hashed, " +
                          "revocable, optionally expiring). It acts in its workspace with its permissions only and never satisfies a role.",
        };
        schemes[OpenApiAccessOperationProcessor.WebhookScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.ApiKey,
            In = OpenApiSecurityApiKeyLocation.Header,
            Name = "webhook-signature",
            Description = "Standard Webhooks v1: `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{raw body}` with a " +
                          "shared `whsec_` secret; the timestamp must be within ±5 minutes.",
        };
    }

    private static long Limit(OpenApiOperation operation, string key) =>
        operation.ExtensionData?.TryGetValue(key, out var value) == true && value is long limit ? limit : 0;

    private static void LimitParameter(OpenApiParameter parameter)
    {
        var schema = parameter.Schema?.ActualSchema ?? parameter.ActualSchema;
        if (schema.Type.HasFlag(JsonObjectType.Integer) && parameter.Name == "limit")
        {
            schema.Minimum ??= 1;
            schema.Maximum ??= PageQuery.MaxLimit;
        }
        else if (schema.Type.HasFlag(JsonObjectType.String) && !LimitFormat(schema) && schema.MaxLength is null && schema.Enumeration.Count == 0)
        {
            schema.MaxLength = parameter.Name == "cursor" ? CursorMaxLength
                : parameter.Kind == OpenApiParameterKind.Header ? RequestHeadersBytes
                : RequestLineBytes;
        }
    }

    private static void LimitBody(JsonSchema? schema, long bodyBytes, HashSet<JsonSchema> seen)
    {
        if (schema?.ActualSchema is not { } actual || !seen.Add(actual))
        {
            return;
        }
        if (actual.Type.HasFlag(JsonObjectType.String) && !LimitFormat(actual) && actual.MaxLength is null && actual.Enumeration.Count == 0)
        {
            actual.MaxLength = (int)Math.Min(bodyBytes, int.MaxValue);
        }
        if (actual.Type.HasFlag(JsonObjectType.Array) && actual.MaxItems == 0)
        {
            actual.MaxItems = (int)Math.Min(bodyBytes / 2, int.MaxValue);
        }
        foreach (var child in Children(actual))
        {
            LimitBody(child, bodyBytes, seen);
        }
    }

    /// <summary>A fixed-format string gets its format's length; true when the format decided it.</summary>
    private static bool LimitFormat(JsonSchema schema)
    {
        switch (schema.Format)
        {
            case JsonFormatStrings.Guid or "uuid":
                schema.MaxLength ??= GuidLength;
                return true;
            case JsonFormatStrings.Date:
                schema.MaxLength ??= DateLength;
                return true;
            case JsonFormatStrings.DateTime:
                schema.MaxLength ??= DateTimeMaxLength;
                return true;
            default:
                return false;
        }
    }

    private static IEnumerable<JsonSchema?> Children(JsonSchema schema) =>
        schema.Properties.Values
            .Concat<JsonSchema?>(schema.AllOf).Concat(schema.OneOf).Concat(schema.AnyOf).Concat(schema.Items)
            .Append(schema.Item).Append(schema.AdditionalPropertiesSchema);

    private static void DropUnusedSchemas(OpenApiDocument document)
    {
        var used = new HashSet<JsonSchema>();
        void Walk(JsonSchema? schema)
        {
            if (schema is null)
            {
                return;
            }
            if (schema.HasReference)
            {
                Walk(schema.ActualSchema);
                return;
            }
            if (used.Add(schema))
            {
                foreach (var child in Children(schema))
                {
                    Walk(child);
                }
            }
        }
        foreach (var operation in document.Operations.Select(o => o.Operation))
        {
            foreach (var parameter in operation.ActualParameters)
            {
                Walk(parameter.Schema ?? parameter);
            }
            foreach (var media in operation.RequestBody?.Content.Values ?? [])
            {
                Walk(media.Schema);
            }
            foreach (var response in operation.ActualResponses.Values)
            {
                foreach (var media in response.Content.Values)
                {
                    Walk(media.Schema);
                }
            }
        }
        foreach (var name in document.Components.Schemas.Where(s => !used.Contains(s.Value)).Select(s => s.Key).ToList())
        {
            document.Components.Schemas.Remove(name);
        }
    }
}
