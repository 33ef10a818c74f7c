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

    public static ValidationFailure FromJsonException(JsonException ex) =>
        new(ex.Path is { Length: > 0 } p ? p : BodyField, "The request body is not valid JSON for this endpoint: " + FirstSentence(ex.Message));

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". Path:", StringComparison.Ordinal);
        return i > 0 ? message[..(i + 1)] : message;
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
