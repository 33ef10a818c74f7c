using System.Text;

namespace WrkCopilot.Features.Integrations.Requirements;

/// <summary>An accepted requirements file type: its extension, the content type we store, and how its text is read.</summary>
internal sealed record RequirementFormat(string Extension, string ContentType, RequirementEncoding Encoding);

internal enum RequirementEncoding
{
    Utf8Text,
    Pdf,
    Docx,
}

/// <summary>
/// The file types Flow 9 accepts (txt, md, csv, json, pdf, docx). A file must have an accepted extension AND look like
/// it: pdf starts with <c>%PDF-</c>, docx is a zip (<c>PK\x03\x04</c>), text types are valid UTF-8. The stored content
/// type comes from here, never from the client's header.
/// </summary>
internal static class RequirementFormats
{
    public const string PlainText = "text/plain";

    public static readonly IReadOnlyList<RequirementFormat> All =
    [
        new("txt", PlainText, RequirementEncoding.Utf8Text),
        new("md", "text/markdown", RequirementEncoding.Utf8Text),
        new("csv", "text/csv", RequirementEncoding.Utf8Text),
        new("json", "application/json", RequirementEncoding.Utf8Text),
        new("pdf", "application/pdf", RequirementEncoding.Pdf),
        new("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", RequirementEncoding.Docx),
    ];

    public static string Extensions => string.Join(", ", All.Select(f => f.Extension));

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RequirementFormat? ForFileName(string fileName)
    {
        var ext = Path.GetExtension(fileName).TrimStart('.');
        return All.FirstOrDefault(f => string.Equals(f.Extension, ext, StringComparison.OrdinalIgnoreCase));
    }

    public static RequirementFormat? ForContentType(string contentType) =>
        All.FirstOrDefault(f => string.Equals(f.ContentType, contentType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="content"/> looks like <paramref name="format"/> (a cheap check, not a full parse).</summary>
    public static bool Looks(RequirementFormat format, ReadOnlySpan<byte> content) => format.Encoding switch
    {
        RequirementEncoding.Pdf => content.StartsWith("%PDF-"u8),
        RequirementEncoding.Docx => content.StartsWith("PK\u0003\u0004"u8),
        _ => IsUtf8(content),
    };

    public static bool IsUtf8(ReadOnlySpan<byte> content)
    {
        try
        {
            StrictUtf8.GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Text without a byte-order mark (kept in the file, not in the text).</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> content) =>
        StrictUtf8.GetString(content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? content[3..] : content);
}
