using System.Text.Json;
using System.Text.Json.Serialization;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>snake_case names, snake_case enums, ISO-8601 times: the API's one JSON shape.</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        if (!o.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        }
        if (!o.Converters.OfType<NoNulStringConverter>().Any())
        {
            o.Converters.Add(new NoNulStringConverter());
        }
        return o;
    }
}

/// <summary>
/// PostgreSQL text cannot hold U+0000; a string carrying it is refused at the boundary (400 naming the
/// field) instead of failing at the database.
/// </summary>
internal sealed class NoNulStringConverter : JsonConverter<string>
{
    public const string Message = "Text must not contain the NUL character (U+0000).";

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal) ? throw new JsonException(Message) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
