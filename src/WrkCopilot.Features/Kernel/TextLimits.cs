namespace WrkCopilot.Features.Kernel;

/// <summary>Shortening text for storage without splitting a surrogate pair (PostgreSQL refuses half a character).</summary>
public static class TextLimits
{
    public static string Shorten(string text, int maxLength, string ellipsis = "")
    {
        if (text.Length <= maxLength)
        {
            return text;
        }
        var cut = Math.Max(0, maxLength - ellipsis.Length);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), ellipsis);
    }
}
