using System.Text;
using System.Text.Json;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>FastEndpoints' validation and binding failures as our problem+json, keyed by JSON path (<c>$.email</c>).</summary>
internal static class ValidationProblems
{
    public const string BodyField = "$";

    public static object Build(List<ValidationFailure> failures, HttpContext ctx, int statusCode)
    {
        var errors = failures
            .GroupBy(f => ToJsonPath(f.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray());
        return Problem.Create(ctx, 400, "validation_failed", "One or more fields are invalid.", errors);
    }

    /// <summary>A body that does not parse, or a value of the wrong JSON type, named by its path; no CLR type names leak.</summary>
    public static ValidationFailure FromJsonException(JsonException ex)
    {
        var path = ex.Path is { Length: > 0 } p ? p : BodyField;
        var message = ex.Message switch
        {
            var m when m.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => "Unknown field.",
            var m when m.Contains("could not be converted", StringComparison.Ordinal) =>
                path == BodyField ? "The request body must be a JSON object." : "The value has the wrong type.",
            var m when m.Contains("missing required properties", StringComparison.Ordinal) => "Required fields are missing.",
            var m when m.StartsWith(NoNulStringConverter.Message, StringComparison.Ordinal) => NoNulStringConverter.Message,
            _ => "The request body is not valid JSON.",
        };
        return new ValidationFailure(path, message);
    }

    /// <summary><c>Items[0].StepName</c> or <c>items[0].step_name</c> → <c>$.items[0].step_name</c>.</summary>
    public static string ToJsonPath(string propertyName)
    {
        if (string.IsNullOrEmpty(propertyName) || propertyName == BodyField)
        {
            return BodyField;
        }
        if (propertyName.StartsWith('$'))
        {
            return propertyName;
        }
        var sb = new StringBuilder("$");
        foreach (var segment in propertyName.Split('.'))
        {
            sb.Append('.');
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket >= 0 ? segment[..bracket] : segment;
            sb.Append(JsonNamingPolicy.SnakeCaseLower.ConvertName(name));
            if (bracket >= 0)
            {
                sb.Append(segment[bracket..]);
            }
        }
        return sb.ToString();
    }
}
