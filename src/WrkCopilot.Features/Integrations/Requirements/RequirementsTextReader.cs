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

    private static string Pdf(byte[] content)
    {
        var text = new StringBuilder();
        using var pdf = PdfDocument.Open(content);
        foreach (var page in pdf.GetPages())
        {
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
        using var stream = new MemoryStream(content, writable: false);
        using var doc = WordprocessingDocument.Open(stream, isEditable: false);
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
        }
        return text.ToString();
    }
}
