using ErrorOr;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>A row version as an entity tag (<c>"7"</c>), for <c>If-Match</c> optimistic concurrency.</summary>
public static class RowVersionETag
{
    public static string Format(long rowVersion) => $"\"{rowVersion}\"";

    /// <summary>
    /// The row versions an <c>If-Match</c> names: null when the header is absent or <c>*</c>. If-Match uses strong
    /// comparison (RFC 9110 §13.1.1): only quoted tags <c>"7"</c>, alone or in a comma-separated list, can match;
    /// a weak (<c>W/"7"</c>), unquoted or foreign tag matches no representation, so it is 412 like a stale one.
    /// </summary>
    public static ErrorOr<long[]?> ParseIfMatch(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return (long[]?)null;
        }
        var versions = new List<long>();
        foreach (var raw in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.Length >= 3 && raw[0] == '"' && raw[^1] == '"' &&
                long.TryParse(raw.AsSpan(1, raw.Length - 2), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                versions.Add(value);
            }
        }
        return versions.Count > 0
            ? versions.ToArray()
            : AppErrors.PreconditionFailed("If-Match names no current entity tag of this resource (use the quoted row_version, e.g. \"7\").");
    }
}
