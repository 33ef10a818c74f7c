using System.Text;
using System.Text.Json;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.FileStore;
using WrkCopilot.Features.Integrations.Requirements;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

/// <summary>
/// The AI ingestion worker (queue <c>ai-ingestion</c>): reads one artifact's text, extracts a blueprint (the LLM when
/// <c>Llm:BaseUrl</c> is configured and the tenant's <c>ai_processing</c> is on, the offline extractor otherwise), merges
/// it into the version's blueprint through the shared <see cref="BlueprintWriter"/>, and marks the artifact processed
/// with the version's <c>intake_progress</c> in the same transaction. Reading and extracting happen before that
/// transaction, so no database transaction waits on the LLM.
/// Idempotent: a processed or skipped artifact is left alone. Outcomes: transient extractor failures retry with backoff
/// (the last attempt marks the artifact failed); an unreadable file or a result the schema refuses marks it failed;
/// an LLM that refuses the request or answers invalid twice marks it failed and dead-letters the job, so that it can be
/// retried from the admin jobs list once the cause is fixed; a version that left intake marks it skipped.
/// </summary>
internal sealed class RequirementsIngestionJob(
    AppDbContext db,
    IFileStore files,
    RequirementsTextReader textReader,
    OfflineRequirementsExtractor offline,
    LlmRequirementsExtractor llm,
    IOptions<LlmOptions> llmOptions,
    BlueprintWriter writer,
    TimeProvider clock,
    ILogger<RequirementsIngestionJob> logger) : IJobHandler
{
    public const string JobType = "requirements_ingestion";

    public string Type => JobType;

    private sealed record Work(string ContentType, byte[] Content, bool AiProcessing);

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        try
        {
            await RunAsync(job, ct);
        }
        catch (Exception ex) when (job.IsLastAttempt && ex is not (PermanentJobFailure or ExtractorUnavailableException))
        {
            // Whatever ends the last attempt (a lost race, the lease running out, the database), the artifact must finish,
            // or intake_progress would never reach 100.
            await FailAsync(job.PayloadAs<RequirementsIngestion>().ArtifactId,
                $"Ingestion failed after {job.Attempt} attempts: {TextLimits.Shorten(ex.Message, 500)}", CancellationToken.None);
            throw;
        }
    }

    private async Task RunAsync(JobContext job, CancellationToken ct)
    {
        var payload = job.PayloadAs<RequirementsIngestion>();
        var tenantId = job.TenantId ?? throw new PermanentJobFailure("A requirements ingestion job needs a tenant.");

        var work = await db.InTenantAsync(tenantId, () => LoadAsync(payload.ArtifactId, tenantId, ct), ct);
        if (work is null)
        {
            return; // already processed or skipped, or gone with its version
        }

        if (work.ContentType.Length == 0)
        {
            await FailAsync(payload.ArtifactId, "The stored file of this artifact is missing.", ct);
            return;
        }
        string text;
        try
        {
            text = textReader.Read(work.ContentType, work.Content);
        }
        catch (UnreadableDocumentException ex)
        {
            await FailAsync(payload.ArtifactId, ex.Message, ct);
            return;
        }

        IRequirementsExtractor extractor = llmOptions.Value.IsConfigured && work.AiProcessing ? llm : offline;
        ExtractionResult extraction;
        try
        {
            extraction = await extractor.ExtractAsync(text, ct);
        }
        catch (ExtractorUnavailableException ex)
        {
            if (job.IsLastAttempt)
            {
                await FailAsync(payload.ArtifactId, $"{ex.Message} (gave up after {job.Attempt} attempts)", ct);
            }
            throw;
        }
        catch (LlmRefusedException ex)
        {
            await FailAsync(payload.ArtifactId, ex.Message, ct);
            throw new PermanentJobFailure(ex.Message, ex);
        }
        if (extraction.Blueprint is not { } blueprint)
        {
            await FailAsync(payload.ArtifactId, extraction.Failure!, ct);
            throw new PermanentJobFailure(extraction.Failure!);
        }

        using (blueprint)
        {
            var written = await UnitOfWork.RunAsync(db, () => ApplyAsync(payload.ArtifactId, blueprint.RootElement, extractor.Name, ct), ct);
            if (written.IsError)
            {
                if (written.FirstError.Type == ErrorType.Validation)
                {
                    // The merge broke a document-wide rule (more than 2,000 steps, over 1 MB): this artifact cannot be added.
                    await FailAsync(payload.ArtifactId, "The extracted steps cannot be added to the blueprint: " +
                        string.Join("; ", written.Errors.Take(5).Select(e => $"{e.Metadata?.GetValueOrDefault("path")}: {e.Description}")), ct);
                    return;
                }
                // A racing write to the version (another artifact, a PUT): run again on the newer blueprint.
                throw new InvalidOperationException($"The blueprint write did not commit ({written.FirstError.Code}); the job will be retried.");
            }
        }
    }

    private async Task<Work?> LoadAsync(Guid artifactId, Guid tenantId, CancellationToken ct)
    {
        var artifact = await db.RequirementArtifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == artifactId, ct);
        if (artifact is null || artifact.Status is ArtifactStatuses.Processed or ArtifactStatuses.Skipped || artifact.StoredFileId is not { } fileId)
        {
            return null;
        }
        var file = await files.OpenAsync(fileId, ct);
        if (file is null)
        {
            // Nothing to read, ever: the artifact must still finish, or intake_progress would never reach 100.
            return new Work("", [], false);
        }
        await using var stream = file.Content;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        var ai = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.AiProcessing).FirstOrDefaultAsync(ct);
        return new Work(file.ContentType, copy.ToArray(), ai);
    }

    private async Task<ErrorOr<Success>> ApplyAsync(Guid artifactId, JsonElement extracted, string extractorName, CancellationToken ct)
    {
        var artifact = await db.RequirementArtifacts.FirstOrDefaultAsync(a => a.Id == artifactId, ct);
        if (artifact is null || artifact.Status is ArtifactStatuses.Processed or ArtifactStatuses.Skipped)
        {
            return Result.Success;
        }
        var version = await db.AutomationVersions.FirstAsync(v => v.Id == artifact.AutomationVersionId, ct);
        var now = clock.GetUtcNow();
        // Ingestion belongs to intake: once the version was submitted (its blueprint priced), extractions no longer land.
        if (version.Status != VersionStatuses.IntakeInProgress)
        {
            artifact.Status = ArtifactStatuses.Skipped;
            artifact.Error = $"The version left intake (it is '{version.Status}') before this artifact was processed.";
            artifact.ProcessedAt = now;
            version.IntakeProgress = await ProgressAsync(version.Id, artifact, ct);
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Requirement artifact {ArtifactId} skipped: version {VersionId} is {Status}", artifact.Id, version.Id, version.Status);
            return Result.Success;
        }

        var merged = BlueprintMerge.Combine(version.BlueprintJson.RootElement, extracted);
        using var document = JsonDocument.Parse(merged);
        artifact.Status = ArtifactStatuses.Processed;
        artifact.Error = null;
        artifact.ProcessedAt = now;
        version.IntakeProgress = await ProgressAsync(version.Id, artifact, ct);
        var written = await writer.WriteAsync(version, new BlueprintWrite(document.RootElement, Encoding.UTF8.GetByteCount(merged),
            BlueprintSources.AiIngestion, null, new Dictionary<string, object?>
            {
                ["artifact_id"] = artifact.Id,
                ["extractor"] = extractorName,
            }), ct);
        return written.IsError ? written.Errors : Result.Success;
    }

    private async Task<int> ProgressAsync(Guid versionId, RequirementArtifact changed, CancellationToken ct)
    {
        var others = await db.RequirementArtifacts.AsNoTracking()
            .Where(a => a.AutomationVersionId == versionId && a.Id != changed.Id).Select(a => a.Status).ToListAsync(ct);
        return IntakeProgress.Compute([.. others, changed.Status]);
    }

    /// <summary>Records a failure in its own transaction (the extraction's work, if any, was not committed).</summary>
    private async Task FailAsync(Guid artifactId, string reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var result = await UnitOfWork.RunAsync<Success>(db, async () =>
        {
            var artifact = await db.RequirementArtifacts.FirstOrDefaultAsync(a => a.Id == artifactId, ct);
            if (artifact is null || ArtifactStatuses.IsFinished(artifact.Status) && artifact.Status != ArtifactStatuses.Failed)
            {
                return Result.Success;
            }
            var version = await db.AutomationVersions.FirstAsync(v => v.Id == artifact.AutomationVersionId, ct);
            artifact.Status = ArtifactStatuses.Failed;
            artifact.Error = TextLimits.Shorten(reason, 2000);
            artifact.ProcessedAt = clock.GetUtcNow();
            version.IntakeProgress = await ProgressAsync(version.Id, artifact, ct);
            await db.SaveChangesAsync(ct);
            return Result.Success;
        }, ct);
        if (result.IsError)
        {
            throw new InvalidOperationException($"Recording the failure of artifact {artifactId} did not commit ({result.FirstError.Code}); the job will be retried.");
        }
        logger.LogWarning("Requirement artifact {ArtifactId} failed: {Reason}", artifactId, reason);
    }
}
