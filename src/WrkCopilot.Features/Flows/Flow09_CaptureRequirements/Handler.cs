using System.Security.Cryptography;
using System.Text;
using ErrorOr;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.FileStore;
using WrkCopilot.Features.Integrations.Requirements;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

/// <summary>Flow 9: store requirements (files or text) for a version in intake and queue their AI ingestion; list them.</summary>
internal sealed class RequirementsHandler(
    AppDbContext db,
    ResourceScope scope,
    CurrentSession session,
    IFileStore files,
    OutboxWriter outbox,
    AuditTrail audit,
    IHttpContextAccessor http,
    TimeProvider clock) : IHandler
{
    private sealed record Upload(string? FileName, string Kind, RequirementFormat Format, MemoryStream Content, string Sha256);

    public async Task<ErrorOr<RequirementsCaptured>> CaptureAsync(CaptureRequirementsRequest req, CancellationToken ct)
    {
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        if (version.Status != VersionStatuses.IntakeInProgress)
        {
            return AppErrors.Conflict("version_not_editable",
                $"Requirements can be added only while the version is {VersionStatuses.IntakeInProgress}; it is '{version.Status}'.",
                new Dictionary<string, object> { ["current_status"] = version.Status });
        }
        var request = http.HttpContext!.Request;
        var uploads = request.HasFormContentType ? await ReadFilesAsync(request, ct) : TextUpload(req.Text!);
        if (uploads.IsError)
        {
            return uploads.Errors;
        }

        var now = clock.GetUtcNow();
        var created = new List<RequirementArtifact>();
        foreach (var upload in uploads.Value)
        {
            using var content = upload.Content;
            var size = content.Length;
            var storedId = await files.SaveAsync(version.TenantId, upload.Format.ContentType, content, ct);
            var artifact = new RequirementArtifact
            {
                Id = Guid.CreateVersion7(),
                TenantId = version.TenantId,
                AutomationVersionId = version.Id,
                Kind = upload.Kind,
                FileName = upload.FileName,
                ContentType = upload.Format.ContentType,
                SizeBytes = size,
                Sha256 = upload.Sha256,
                StoredFileId = storedId,
                Status = ArtifactStatuses.Pending,
                CreatedById = session.Required.UserId,
                CreatedAt = now,
            };
            db.RequirementArtifacts.Add(artifact);
            outbox.Enqueue(Queues.AiIngestion, RequirementsIngestionJob.JobType, new RequirementsIngestion(artifact.Id));
            created.Add(artifact);
        }
        var statuses = await db.RequirementArtifacts.Where(a => a.AutomationVersionId == version.Id).Select(a => a.Status).ToListAsync(ct);
        version.IntakeProgress = IntakeProgress.Compute([.. statuses, .. created.Select(a => a.Status)]);
        version.UpdatedAt = now;
        // Names and sizes only: requirements can be confidential, and the audit log is read more widely than they are.
        audit.Record("requirements_uploaded", "automation_version", version.Id, new
        {
            artifacts = created.Select(a => new { id = a.Id, kind = a.Kind, file_name = a.FileName, content_type = a.ContentType, size_bytes = a.SizeBytes }),
        });
        await db.SaveChangesAsync(ct);
        return new RequirementsCaptured(version.Id, version.IntakeProgress, created.Select(RequirementArtifactView.Of).ToList());
    }

    public async Task<ErrorOr<Page<RequirementArtifactView>>> ListAsync(ListRequirementsRequest req, CancellationToken ct)
    {
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        return await db.RequirementArtifacts.AsNoTracking().Where(a => a.AutomationVersionId == version.Id)
            .ToPageAsync(req, a => a.CreatedAt, a => a.Id, RequirementArtifactView.Of, ct);
    }

    private static ErrorOr<List<Upload>> TextUpload(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new List<Upload>
        {
            new(null, ArtifactKinds.Text, RequirementFormats.ForContentType(RequirementFormats.PlainText)!,
                new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), Convert.ToHexStringLower(SHA256.HashData(bytes))),
        };
    }

    /// <summary>
    /// Reads the multipart body part by part, never holding more of a file than its cap + 1 byte: a file over the cap is
    /// refused (413) as soon as it is seen to be, before the rest of the body is read.
    /// </summary>
    private static async Task<ErrorOr<List<Upload>>> ReadFilesAsync(HttpRequest request, CancellationToken ct)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary) || !string.Equals(mediaType!.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return AppErrors.UnsupportedMediaType("Upload files as multipart/form-data (parts named 'files'), or send JSON { \"text\": \"...\" }.");
        }
        var uploads = new List<Upload>();
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                var path = $"$.files[{uploads.Count}]";
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !disposition.IsFileDisposition() || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "files", StringComparison.Ordinal))
                {
                    Dispose(uploads);
                    return AppErrors.Validation("$.files",
                        $"Only file parts named 'files' are accepted (got '{HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value}').");
                }
                if (uploads.Count == RequirementsLimits.MaxFiles)
                {
                    Dispose(uploads);
                    return AppErrors.Validation("$.files", $"At most {RequirementsLimits.MaxFiles} files per request.");
                }
                var raw = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                var fileName = CleanFileName(raw);
                if (fileName.Length == 0)
                {
                    Dispose(uploads);
                    return AppErrors.Validation(path, "Each file needs a file name (its extension gives its type).");
                }
                var format = RequirementFormats.ForFileName(fileName);
                if (format is null)
                {
                    Dispose(uploads);
                    return Unsupported(fileName, $"'{fileName}' is not an accepted type; upload {RequirementFormats.Extensions}.");
                }
                var (content, sha, tooLarge) = await ReadCappedAsync(section.Body, ct);
                if (tooLarge)
                {
                    Dispose(uploads);
                    return AppErrors.PayloadTooLarge(
                        $"'{fileName}' is larger than {RequirementsLimits.MaxFileBytes / (1024 * 1024)} MB, the limit per file.",
                        new Dictionary<string, object> { ["file_name"] = fileName, ["max_file_bytes"] = RequirementsLimits.MaxFileBytes });
                }
                if (content.Length == 0)
                {
                    content.Dispose();
                    Dispose(uploads);
                    return AppErrors.Validation(path, $"'{fileName}' is empty.");
                }
                if (!RequirementFormats.Looks(format, content.GetBuffer().AsSpan(0, (int)content.Length)))
                {
                    content.Dispose();
                    Dispose(uploads);
                    return Unsupported(fileName, format.Encoding == RequirementEncoding.Utf8Text
                        ? $"'{fileName}' is not UTF-8 text, as a .{format.Extension} file must be."
                        : $"'{fileName}' does not look like a {format.Extension} file.");
                }
                content.Position = 0;
                uploads.Add(new Upload(fileName, ArtifactKinds.File, format, content, sha));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException ||
                                   (ex is IOException and not Microsoft.AspNetCore.Http.BadHttpRequestException && !ct.IsCancellationRequested))
        {
            // A truncated body (no closing boundary) ends the multipart reader with an IOException: malformed input, not a fault.
            Dispose(uploads);
            return AppErrors.Validation("$.files", $"The multipart body is malformed: {ex.Message}");
        }
        if (uploads.Count == 0)
        {
            return AppErrors.Validation("$.files", "Send at least one file in a part named 'files'.");
        }
        return uploads;
    }

    private static async Task<(MemoryStream Content, string Sha256, bool TooLarge)> ReadCappedAsync(Stream body, CancellationToken ct)
    {
        var content = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (content.Length + read > RequirementsLimits.MaxFileBytes)
            {
                content.Dispose();
                return (content, "", true);
            }
            content.Write(buffer, 0, read);
            hash.AppendData(buffer, 0, read);
        }
        return (content, Convert.ToHexStringLower(hash.GetHashAndReset()), false);
    }

    private static Error Unsupported(string fileName, string detail) =>
        AppErrors.UnsupportedMediaType(detail, new Dictionary<string, object>
        {
            ["file_name"] = fileName, ["accepted"] = RequirementFormats.All.Select(f => f.Extension).ToArray(),
        });

    // The last path segment only, without control characters, short enough for the column.
    private static string CleanFileName(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return "";
        }
        var name = raw.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        // Shortened before the extension, which decides the type and must survive.
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 10 ? name[dot..] : "";
        return name.Length <= 255 ? name : TextLimits.Shorten(name[..^extension.Length], 255 - extension.Length) + extension;
    }

    private static void Dispose(List<Upload> uploads) => uploads.ForEach(u => u.Content.Dispose());
}
