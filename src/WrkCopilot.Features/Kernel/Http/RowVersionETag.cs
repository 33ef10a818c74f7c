using ErrorOr;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>A row version as an entity tag (<c>"7"</c>), for <c>If-Match</c> optimistic concurrency.</summary>
public static class RowVersionETag
{
    public static string Format(long rowVersion) => $"\"{rowVersion}\"";

    /// <summary>
    /// The row version an <c>If-Match</c> names: null when the header is absent or <c>*</c>. A tag that is not
    /// one of ours can match no representation, so it is 412 like a stale one (RFC 9110 §13.1.1).
    /// </summary>
    public static ErrorOr<long?> ParseIfMatch(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return (long?)null;
        }
        var tag = header.Trim();
        if (tag.StartsWith("W/", StringComparison.Ordinal))
        {
            tag = tag[2..];
        }
        tag = tag.Trim('"');
        return long.TryParse(tag, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : AppErrors.PreconditionFailed("If-Match does not name a row version of this resource.");
    }
}
