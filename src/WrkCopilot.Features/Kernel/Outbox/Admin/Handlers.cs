using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Outbox.Admin;

/// <summary>
/// Staff views of the outbox. The table is global (no tenant, no RLS), so no elevation is needed; the
/// retry's audit row goes into the caller's own (operator) tenant, the only tenant a global row has.
/// </summary>
public sealed class JobAdminHandler(AppDbContext db, AuditTrail audit, TimeProvider clock) : IHandler
{
    public Task<ErrorOr<Page<JobItem>>> ListAsync(ListJobsRequest req, CancellationToken ct)
    {
        var query = db.Outbox.AsNoTracking();
        if (req.Status is { } status)
        {
            query = query.Where(m => m.Status == status);
        }
        if (req.Queue is { } queue)
        {
            query = query.Where(m => m.Queue == queue);
        }
        if (req.Type is { } type)
        {
            query = query.Where(m => m.Type == type);
        }
        return query.ToPageAsync(req, m => m.CreatedAt, m => m.Id, JobItem.From, ct);
    }

    public async Task<ErrorOr<JobItem>> RetryAsync(Guid id, CancellationToken ct)
    {
        var job = await db.Outbox.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (job is null)
        {
            return AppErrors.NotFound("Job");
        }
        if (job.Status != OutboxStatuses.Dead)
        {
            return AppErrors.Conflict("job_not_dead", $"Only dead jobs can be retried; this one is '{job.Status}'.");
        }
        var previousAttempts = job.Attempts;
        job.Status = OutboxStatuses.Pending;
        job.Attempts = 0;
        job.AvailableAt = clock.GetUtcNow();
        job.LockedBy = null;
        job.LockedUntil = null;
        audit.Record("job_retried", "job", job.Id, new { queue = job.Queue, type = job.Type, job_tenant_id = job.TenantId, previous_attempts = previousAttempts });
        await db.SaveChangesAsync(ct);
        return JobItem.From(job);
    }
}
