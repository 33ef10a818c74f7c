using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig;

namespace WrkCopilot.Features.Integrations.Requirements;

/// <summary>The file cannot be read as its type (corrupt, encrypted, not what it claims): retrying cannot help.</summary>
internal sealed class UnreadableDocumentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Plain text out of a stored requirements file. Word headings come out as markdown headings and list paragraphs as
/// list items, so the offline extractor sees a document's structure whatever its format.
/// </summary>
internal sealed class RequirementsTextReader
{
    public string Read(string contentType, byte[] content)
    {
        var format = RequirementFormats.ForContentType(contentType)
            ?? throw new UnreadableDocumentException($"Files of type '{contentType}' are not read.");
        try
        {
            return format.Encoding switch
            {
                RequirementEncoding.Pdf => Pdf(content),
                RequirementEncoding.Docx => Docx(content),
                _ => RequirementFormats.DecodeUtf8(content),
            };
        }
        catch (UnreadableDocumentException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new UnreadableDocumentException($"The {format.Extension} file could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>Text kept from one file: far more than any requirements document, far less than a decompression bomb.</summary>
    private const int MaxTextCharacters = 5_000_000;

    /// <summary>A docx may inflate to at most this many bytes (a 20 MB upload of ordinary Word XML stays well below).</summary>
    private const long MaxUncompressedDocxBytes = 200L * 1024 * 1024;

    private const int MaxPdfPages = 1000;

    private static string Pdf(byte[] content)
    {
        var text = new StringBuilder();
        using var pdf = PdfDocument.Open(content);
        if (pdf.NumberOfPages > MaxPdfPages)
        {
            throw new UnreadableDocumentException($"The pdf file has {pdf.NumberOfPages} pages; at most {MaxPdfPages} are read.");
        }
        foreach (var page in pdf.GetPages())
        {
            if (text.Length > MaxTextCharacters)
            {
                break;
            }
            // Words grouped back into lines by their baseline: page.Text would run every line together.
            foreach (var line in page.GetWords().GroupBy(w => Math.Round(w.BoundingBox.Bottom, 0)).OrderByDescending(g => g.Key))
            {
                text.AppendLine(string.Join(' ', line.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text)));
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Docx(byte[] content)
    {
        RefuseZipBomb(content);
        using var stream = new MemoryStream(content, writable: false);
        using var doc = WordprocessingDocument.Open(stream, isEditable: false, new OpenSettings { MaxCharactersInPart = MaxTextCharacters * 4L });
        var body = doc.MainDocumentPart?.Document?.Body
            ?? throw new UnreadableDocumentException("The docx file has no document body.");
        var text = new StringBuilder();
        foreach (var p in body.Descendants<Paragraph>())
        {
            var line = string.Concat(p.Descendants<Text>().Select(t => t.Text)).Trim();
            if (line.Length == 0)
            {
                continue;
            }
            var style = p.ParagraphProperties?.ParagraphStyleId?.Val?.Value ?? "";
            if (style.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(style.AsSpan("Heading".Length), out var level) && level is >= 1 and <= 6)
            {
                text.Append('#', level).Append(' ');
            }
            else if (string.Equals(style, "Title", StringComparison.OrdinalIgnoreCase))
            {
                text.Append("# ");
            }
            else if (p.ParagraphProperties?.NumberingProperties is not null ||
                     style.StartsWith("ListParagraph", StringComparison.OrdinalIgnoreCase))
            {
                text.Append("- ");
            }
            text.AppendLine(line);
            if (text.Length > MaxTextCharacters)
            {
                break;
            }
        }
        return text.ToString();
    }

    // The sizes a zip declares are checked before anything is inflated; OpenSettings.MaxCharactersInPart then bounds what a
    // part can really inflate to, whatever it declared.
    private static void RefuseZipBomb(byte[] content)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(content, writable: false), System.IO.Compression.ZipArchiveMode.Read);
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            total += entry.Length;
            if (total > MaxUncompressedDocxBytes)
            {
                throw new UnreadableDocumentException(
                    $"The docx file inflates to more than {MaxUncompressedDocxBytes / (1024 * 1024)} MB; it is not read.");
            }
        }
    }
}
