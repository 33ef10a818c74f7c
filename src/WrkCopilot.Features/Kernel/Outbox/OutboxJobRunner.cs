using System.Diagnostics;
using System.Text.Json;
using Coravel.Invocable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Outbox;

/// <summary>
/// Runs one claimed outbox row in its own DI scope (Coravel gives each invocable one) with the row's tenant
/// set, then marks it done, schedules a retry with exponential backoff and jitter, or dead-letters it.
/// Every read and status write is guarded by the claim's token, so a row whose lease was taken over is left alone.
/// </summary>
public sealed class OutboxJobRunner(
    NpgsqlDataSource dataSource,
    IEnumerable<IJobHandler> handlers,
    TenantContext tenant,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxJobRunner> logger,
    WrkMetrics? metrics = null) : IInvocable, IInvocableWithPayload<OutboxClaim>
{
    public static readonly ActivitySource Activities = new("WrkCopilot.Outbox");

    /// <summary>Time kept between a job's deadline and its lease's end, to record the outcome before another claim.</summary>
    internal static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(15);

    public OutboxClaim Payload { get; set; } = null!;

    public Task Invoke() => RunAsync(Payload, CancellationToken.None);

    public async Task RunAsync(OutboxClaim claim, CancellationToken ct)
    {
        var id = claim.Id;
        JobContext? job;
        string? traceParent;
        DateTimeOffset leaseUntil;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            await using var load = new NpgsqlCommand(
                "SELECT tenant_id, queue, type, payload::text, attempts, max_attempts, trace_parent, locked_until FROM outbox WHERE id = @id AND status = 'processing' AND locked_by = @claim AND locked_until > @now", conn);
            load.Parameters.AddWithValue("id", id);
            load.Parameters.AddWithValue("claim", claim.Token);
            load.Parameters.AddWithValue("now", clock.GetUtcNow());
            await using var r = await load.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct))
            {
                return; // done already, or the lease ran out before the run started (the row will be claimed again)
            }
            job = new JobContext(id, r.IsDBNull(0) ? null : r.GetGuid(0), r.GetString(1), r.GetString(2),
                JsonDocument.Parse(r.GetString(3)), r.GetInt32(4), r.GetInt32(5));
            traceParent = r.IsDBNull(6) ? null : r.GetString(6);
            leaseUntil = r.GetFieldValue<DateTimeOffset>(7);
        }

        // The job continues the trace of the request that enqueued it: request, job and the job's outgoing calls are one trace.
        using var activity = Activities.StartActivity($"job {job.Type}", ActivityKind.Consumer,
            traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent) ? parent : default);
        activity?.SetTag("messaging.destination.name", job.Queue);
        activity?.SetTag("wrk.job.id", id);
        activity?.SetTag("wrk.job.attempt", job.Attempt);
        if (job.TenantId is { } tenantTag)
        {
            activity?.SetTag("wrk.tenant.id", tenantTag);
        }
        metrics?.JobRun(job.Queue);
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["job_id"] = id, ["job_type"] = job.Type, ["tenant_id"] = job.TenantId });
        var handler = handlers.FirstOrDefault(h => h.Type == job.Type);
        try
        {
            if (handler is null)
            {
                throw new PermanentJobFailure($"No handler for job type '{job.Type}'.");
            }
            if (job.TenantId is { } t)
            {
                tenant.Set(t);
            }
            // A job may not outlive its lease (minus a margin), or another claim would run it alongside.
            var budget = leaseUntil - clock.GetUtcNow() - LeaseMargin;
            if (budget <= TimeSpan.Zero)
            {
                throw new TimeoutException("The lease ran out before the job could start; it will be retried.");
            }
            using var timeout = new CancellationTokenSource(budget, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            await handler.HandleAsync(job, linked.Token);
            await FinishAsync(claim, "status = 'done', completed_at = @now, locked_until = NULL, last_error = NULL", null, ct);
        }
        catch (Exception ex)
        {
            var permanent = ex is PermanentJobFailure;
            var dead = permanent || job.Attempt >= job.MaxAttempts;
            metrics?.JobFailed(job.Queue, dead);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            logger.LogWarning(ex, "Job {JobId} ({Type}) failed on attempt {Attempt}/{Max}{Dead}", id, job.Type, job.Attempt, job.MaxAttempts, dead ? "; dead-lettered" : "");
            var error = TextLimits.Shorten(ex.Message, 2000);
            if (dead)
            {
                await FinishAsync(claim, "status = 'dead', locked_until = NULL, last_error = @err", error, ct);
            }
            else
            {
                await FinishAsync(claim, "status = 'pending', locked_until = NULL, last_error = @err, available_at = @retry_at", error, ct, Backoff(job.Attempt));
            }
        }
    }

    internal TimeSpan Backoff(int attempt)
    {
        var o = options.Value;
        var exp = o.RetryBase.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(exp, o.RetryCap.TotalMilliseconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(capped * jitter);
    }

    private async Task FinishAsync(OutboxClaim claim, string set, string? error, CancellationToken ct, TimeSpan? retryIn = null)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"UPDATE outbox SET {set} WHERE id = @id AND locked_by = @claim AND status = 'processing'", conn);
        cmd.Parameters.AddWithValue("id", claim.Id);
        cmd.Parameters.AddWithValue("claim", claim.Token);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("err", (object?)error ?? DBNull.Value);
        cmd.Parameters.AddWithValue("retry_at", now + (retryIn ?? TimeSpan.Zero));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
