using System.Globalization;
using System.Text.Json;
using ErrorOr;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Flows.Flow27_RunEventWebhook;

/// <summary>The body the WRK Platform sends (flows.md, Flow 27); documented for the OpenAPI description only: the endpoint reads raw bytes.</summary>
public sealed record RunEventBody(
    string WorkflowId,
    string RunId,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    string? ErrorMessage,
    string? Cost,
    JsonElement? Metadata);

/// <summary>A run event as checked: final statuses carry <see cref="CompletedAt"/>, never before <see cref="StartedAt"/>.</summary>
internal sealed record RunEventPayload(string WorkflowId, string RunId, string Status, DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt, string? ErrorMessage, decimal? Cost, string MetadataJson);

internal static class RunStatuses
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public static readonly string[] All = [Running, Succeeded, Failed];
}

/// <summary>
/// Parses the raw body after the signature has been verified. The signature covers the exact bytes, so the body is parsed
/// from them (never re-serialised) and unknown fields are ignored.
/// </summary>
internal static class RunEventParser
{
    public const int MaxIdLength = 200;
    public const int MaxErrorMessageLength = 4000;
    private const decimal MaxCost = 9_999_999_999.9999m;

    public static ErrorOr<RunEventPayload> Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != body.Length && !OnlyWhitespace(body[(int)reader.BytesConsumed..]))
            {
                return AppErrors.Validation("$", "The body is not one JSON document.");
            }
        }
        catch (JsonException)
        {
            return AppErrors.Validation("$", "The body is not valid JSON.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return AppErrors.Validation("$", "The body must be a JSON object.");
            }
            if (UnstorableText(root, "$") is { } badPath)
            {
                return AppErrors.Validation(badPath, "Text must be valid UTF-8, without lone surrogates or NUL characters.");
            }
            var errors = new List<Error>();
            var workflowId = Id(root, "workflow_id", errors);
            var runId = Id(root, "run_id", errors);
            string? status = null;
            if (!root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.String || !RunStatuses.All.Contains(s.GetString()))
            {
                errors.Add(AppErrors.Validation("$.status", "Must be one of: running, succeeded, failed."));
            }
            else
            {
                status = s.GetString();
            }
            var startedAt = Time(root, "started_at", required: true, errors);
            var completedAt = Time(root, "completed_at", required: false, errors);
            if (status is RunStatuses.Succeeded or RunStatuses.Failed && completedAt is null && !errors.Any(e => PathOf(e) == "$.completed_at"))
            {
                errors.Add(AppErrors.Validation("$.completed_at", "Required when the status is succeeded or failed."));
            }
            if (status == RunStatuses.Running && completedAt is not null)
            {
                errors.Add(AppErrors.Validation("$.completed_at", "Must be absent or null while the run is running."));
            }
            if (startedAt is { } st && completedAt is { } ct && ct < st)
            {
                errors.Add(AppErrors.Validation("$.completed_at", "Must not be before started_at."));
            }
            string? errorMessage = null;
            if (root.TryGetProperty("error_message", out var em) && em.ValueKind != JsonValueKind.Null)
            {
                if (em.ValueKind != JsonValueKind.String || em.GetString()!.Length > MaxErrorMessageLength)
                {
                    errors.Add(AppErrors.Validation("$.error_message", $"Must be a string of at most {MaxErrorMessageLength} characters."));
                }
                else
                {
                    errorMessage = em.GetString();
                }
            }
            var cost = Cost(root, errors);
            var metadata = "{}";
            if (root.TryGetProperty("metadata", out var md) && md.ValueKind != JsonValueKind.Null)
            {
                if (md.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(AppErrors.Validation("$.metadata", "Must be a JSON object."));
                }
                else
                {
                    metadata = md.GetRawText();
                }
            }
            if (errors.Count > 0)
            {
                return errors;
            }
            return new RunEventPayload(workflowId!, runId!, status!, startedAt!.Value, completedAt, errorMessage, cost, metadata);
        }
    }

    /// <summary>
    /// The path of the first string (value or member name) that cannot become text here: bytes that are not UTF-8 or an escaped
    /// lone surrogate (<see cref="JsonElement.GetString"/> throws on both), or a NUL, which PostgreSQL text and jsonb refuse.
    /// </summary>
    private static string? UnstorableText(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in e.EnumerateObject())
                {
                    if (!Storable(() => member.Name, out var name))
                    {
                        return path;
                    }
                    if (UnstorableText(member.Value, path + "." + name) is { } bad)
                    {
                        return bad;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (UnstorableText(item, $"{path}[{i++}]") is { } bad)
                    {
                        return bad;
                    }
                }
                return null;
            case JsonValueKind.String:
                return Storable(e.GetString, out _) ? null : path;
            default:
                return null;
        }
    }

    private static bool Storable(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? "";
            return !text.Contains('\0', StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }

    private static string? PathOf(Error e) => e.Metadata?.GetValueOrDefault(AppErrors.PathKey) as string;

    private static bool OnlyWhitespace(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }
        return true;
    }

    private static string? Id(JsonElement root, string name, List<Error> errors)
    {
        if (root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String &&
            v.GetString() is { Length: > 0 and <= MaxIdLength } id && !string.IsNullOrWhiteSpace(id))
        {
            return id;
        }
        errors.Add(AppErrors.Validation("$." + name, $"Required: a non-empty string of at most {MaxIdLength} characters."));
        return null;
    }

    private static DateTimeOffset? Time(JsonElement root, string name, bool required, List<Error> errors)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(AppErrors.Validation("$." + name, "Required: an ISO-8601 time with an offset."));
            }
            return null;
        }
        // An explicit offset (Z or ±hh:mm) is required: a time without one is ambiguous.
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: >= 20 and <= 40 } text &&
            (text.EndsWith('Z') || text.EndsWith("z", StringComparison.Ordinal) || text[^6] is '+' or '-') &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) &&
            t.Year is >= 2000 and <= 9999)
        {
            return t.ToUniversalTime();
        }
        errors.Add(AppErrors.Validation("$." + name, "Must be an ISO-8601 time with an offset, e.g. 2026-11-30T12:00:00Z."));
        return null;
    }

    private static decimal? Cost(JsonElement root, List<Error> errors)
    {
        if (!root.TryGetProperty("cost", out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var value = 0m;
        var ok = v.ValueKind switch
        {
            JsonValueKind.Number => v.TryGetDecimal(out value),
            JsonValueKind.String => decimal.TryParse(v.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
        if (!ok || value < 0 || value > MaxCost || decimal.Round(value, 4) != value)
        {
            errors.Add(AppErrors.Validation("$.cost", "Must be a non-negative amount with at most 4 decimals, as a number or a string."));
            return null;
        }
        return value;
    }
}
