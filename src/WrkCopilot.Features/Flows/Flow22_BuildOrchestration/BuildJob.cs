using System.Text.Json;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Builds;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow22_BuildOrchestration;

/// <summary>The payload <see cref="RequestBuildEffect"/> writes (Flow 21).</summary>
internal sealed record BuildRequest(Guid AutomationVersionId, Guid? QuoteId, string? Reason, string? Notes);

/// <summary>
/// The Build Orchestrator Worker (Flow 22, queue <c>build-requests</c>), in the version's tenant. Reads the version and its
/// binding in one short transaction, creates the version's WRK workflow (first build; idempotent on the version id as external
/// reference) or updates it (rebuild) with no transaction open, then in a second transaction saves the binding
/// (<c>inactive</c> until launch) and moves the version to QA (T5, which creates or reopens the build checklist).
/// Outcomes: a platform that is down or times out throws, so the outbox retries with backoff; the last attempt, or a refusal
/// (4xx), blocks the version instead (T11, with the platform's error and a staff task) and the job ends.
/// Idempotent under re-delivery: a version no longer in <c>build_in_progress</c> is left alone, the binding is upserted, and
/// creating a workflow twice returns the same one.
/// </summary>
internal sealed class BuildJob(
    AppDbContext db,
    IWrkPlatformClient platform,
    LifecycleTransitionHandler lifecycle,
    TimeProvider clock,
    ILogger<BuildJob> logger) : IJobHandler
{
    private const int MaxPlatformErrorInReason = 300;

    public string Type => RequestBuildEffect.JobType;

    private sealed record Plan(Guid VersionId, string Label, string AutomationName, string Blueprint, string? WorkflowId);

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        try
        {
            await RunAsync(job, ct);
        }
        catch (Exception ex) when (job.IsLastAttempt && ex is not PermanentJobFailure)
        {
            // Whatever ends the last attempt (a lost race, the lease running out, the database), the version must not stay
            // in build_in_progress with nobody told: it is blocked (T11) with the reason and a task, like a refused build.
            await BlockAsync(job.PayloadAs<BuildRequest>().AutomationVersionId,
                $"The build failed after {job.Attempt} attempts: {Shorten(ex.Message)}", CancellationToken.None);
            throw;
        }
    }

    private async Task RunAsync(JobContext job, CancellationToken ct)
    {
        var request = job.PayloadAs<BuildRequest>();
        var tenantId = job.TenantId ?? throw new PermanentJobFailure("A build request needs a tenant.");

        var plan = await db.InTenantAsync(tenantId, () => LoadAsync(request.AutomationVersionId, ct), ct);
        if (plan is null)
        {
            logger.LogInformation("Build of version {VersionId} skipped: it is gone or no longer in build", request.AutomationVersionId);
            return;
        }

        PlatformResult<PlatformWorkflow> result;
        using (var blueprint = JsonDocument.Parse(plan.Blueprint))
        {
            result = plan.WorkflowId is null
                ? await platform.CreateWorkflowAsync(new CreateWorkflow(plan.VersionId.ToString(), tenantId.ToString(),
                    $"{plan.AutomationName} {plan.Label}", blueprint.RootElement), ct)
                : await platform.UpdateWorkflowAsync(plan.WorkflowId, new UpdateWorkflow(blueprint.RootElement), ct);
        }

        switch (result.Outcome)
        {
            case PlatformOutcome.Ok:
                await CommitAsync(plan.VersionId, result.Value!, ct);
                return;
            case PlatformOutcome.Unavailable when !job.IsLastAttempt:
                // The outbox retries with exponential backoff and jitter.
                throw new WrkPlatformUnavailableException($"The WRK Platform is unavailable: {result.Error}");
            case PlatformOutcome.Unavailable:
                await BlockAsync(plan.VersionId,
                    $"WRK Platform unavailable after {job.Attempt} attempts: {Shorten(result.Error)}", ct);
                return;
            default:
                await BlockAsync(plan.VersionId,
                    $"WRK Platform refused the workflow ({result.StatusCode}{(result.ErrorCode is { } code ? " " + code : "")}): {Shorten(result.Error)}", ct);
                return;
        }
    }

    private async Task<Plan?> LoadAsync(Guid versionId, CancellationToken ct)
    {
        var version = await db.AutomationVersions.AsNoTracking()
            .Where(v => v.Id == versionId)
            .Select(v => new { v.Id, v.Version, v.Status, v.AutomationId, v.BlueprintJson })
            .FirstOrDefaultAsync(ct);
        if (version is null || version.Status != VersionStatuses.BuildInProgress)
        {
            return null;
        }
        var name = await db.Automations.AsNoTracking().Where(a => a.Id == version.AutomationId).Select(a => a.Name).FirstAsync(ct);
        var workflowId = await db.WorkflowBindings.AsNoTracking().Where(b => b.AutomationVersionId == versionId)
            .Select(b => b.WrkWorkflowId).FirstOrDefaultAsync(ct);
        return new Plan(version.Id, version.Version, name, version.BlueprintJson.RootElement.GetRawText(), workflowId);
    }

    /// <summary>The binding and T5, together. A version that left the build meanwhile (blocked, archived) keeps its status.</summary>
    private async Task CommitAsync(Guid versionId, PlatformWorkflow workflow, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var committed = await UnitOfWork.RunAsync<Success>(db, async () =>
        {
            var version = await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == versionId, ct);
            if (version is null || version.Status != VersionStatuses.BuildInProgress)
            {
                return Result.Success;
            }
            var now = clock.GetUtcNow();
            var binding = await db.WorkflowBindings.FirstOrDefaultAsync(b => b.AutomationVersionId == versionId, ct);
            if (binding is null)
            {
                binding = new WorkflowBinding
                {
                    Id = Guid.CreateVersion7(),
                    TenantId = version.TenantId,
                    AutomationVersionId = versionId,
                    WrkWorkflowId = workflow.WorkflowId,
                    CreatedAt = now,
                };
                db.WorkflowBindings.Add(binding);
            }
            binding.WrkWorkflowId = workflow.WorkflowId;
            binding.WrkWorkflowUrl = workflow.Url ?? binding.WrkWorkflowUrl;
            binding.Status = "inactive";
            binding.LastError = null;
            binding.UpdatedAt = now;
            // Saved before T5 so that its binding_exists guard, a query, sees it.
            await db.SaveChangesAsync(ct);

            var moved = await lifecycle.ApplyAsync(version, new TransitionRequest(VersionStatuses.QaTesting, LifecycleActor.System, null), ct);
            return moved.IsError ? moved.Errors : Result.Success;
        }, ct);
        if (committed.IsError)
        {
            // A racing transition or delivery: the retry sees the version as it now is.
            throw new InvalidOperationException(
                $"Saving the build of version {versionId} did not commit ({committed.FirstError.Code}: {committed.FirstError.Description}); the job will be retried.");
        }
        logger.LogInformation("Version {VersionId} built as WRK workflow {WorkflowId}", versionId, workflow.WorkflowId);
    }

    /// <summary>T11 with the platform's error; the binding, if the version has one, records it too.</summary>
    private async Task BlockAsync(Guid versionId, string reason, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var blocked = await UnitOfWork.RunAsync<Success>(db, async () =>
        {
            var version = await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == versionId, ct);
            if (version is null || version.Status != VersionStatuses.BuildInProgress)
            {
                return Result.Success;
            }
            var binding = await db.WorkflowBindings.FirstOrDefaultAsync(b => b.AutomationVersionId == versionId, ct);
            if (binding is not null)
            {
                binding.Status = "error";
                binding.LastError = reason;
                binding.UpdatedAt = clock.GetUtcNow();
            }
            var moved = await lifecycle.ApplyAsync(version, new TransitionRequest(VersionStatuses.Blocked, LifecycleActor.System, reason), ct);
            return moved.IsError ? moved.Errors : Result.Success;
        }, ct);
        if (blocked.IsError)
        {
            throw new InvalidOperationException(
                $"Blocking version {versionId} did not commit ({blocked.FirstError.Code}: {blocked.FirstError.Description}); the job will be retried.");
        }
        logger.LogWarning("Version {VersionId} blocked by its build: {Reason}", versionId, reason);
    }

    private static string Shorten(string? error) => TextLimits.Shorten(error ?? "no detail given", MaxPlatformErrorInReason, "…");
}

/// <summary>The platform could not be reached this attempt; the outbox retries the job.</summary>
internal sealed class WrkPlatformUnavailableException(string message) : Exception(message);
