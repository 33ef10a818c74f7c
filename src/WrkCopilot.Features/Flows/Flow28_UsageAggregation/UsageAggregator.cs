using Coravel.Invocable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow28_UsageAggregation;

/// <summary>
/// Flow 28's aggregation: folds the usage deltas that a trigger on <c>run_events</c> queues in <c>run_event_changes</c> (same
/// transaction as the event) into the day and month rows of <c>usage_aggregates</c>. Each batch claims deltas with
/// <c>FOR UPDATE SKIP LOCKED</c>, deletes them and adds their sums in one transaction, so a delta is counted once however late
/// its event commits and however many instances drain side by side (additions commute; the upsert serialises on the row).
/// A watermark over event times or ids could skip an event that commits after a later one; a per-change queue cannot.
/// </summary>
internal sealed class UsageAggregator(IServiceScopeFactory scopes, IOptions<UsageOptions> options, TimeProvider clock, WrkMetrics metrics,
    ILogger<UsageAggregator> logger) : IInvocable, IHandler
{
    private sealed record PendingTenant(Guid TenantId, DateTimeOffset OldestChange);

    private sealed record Change(Guid VersionId, DateOnly Day, int Runs, int Succeeded, int Failed, decimal Cost);

    public Task Invoke() => DrainAsync(CancellationToken.None);

    /// <summary>Drains every pending delta; the number applied.</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var applied = 0;
        foreach (var pending in await PendingAsync(ct))
        {
            try
            {
                int claimed;
                do
                {
                    claimed = await DrainBatchAsync(pending.TenantId, ct);
                    applied += claimed;
                }
                while (claimed == options.Value.DrainBatchSize);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One tenant's failure must not stop the others; its deltas stay queued for the next tick.
                logger.LogError(ex, "Usage aggregation for tenant {TenantId} failed", pending.TenantId);
            }
        }
        var left = await PendingAsync(ct);
        metrics.UsageAggregationLag(left.Count == 0 ? TimeSpan.Zero : clock.GetUtcNow() - left.Min(p => p.OldestChange));
        return applied;
    }

    private async Task<List<PendingTenant>> PendingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // The lookup returns tenant ids only; the deltas are read with each tenant set.
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database
            .SqlQuery<PendingTenant>($"SELECT tenant_id, oldest_change FROM app_usage_pending_tenants()")
            .ToListAsync(ct);
    }

    private async Task<int> DrainBatchAsync(Guid tenantId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var result = await UnitOfWork.RunAsync<int>(db, async () =>
        {
            var changes = new List<Change>();
            await using (var claim = db.Command("""
                DELETE FROM run_event_changes WHERE id IN (
                    SELECT id FROM run_event_changes WHERE tenant_id = @tenant ORDER BY id LIMIT @limit FOR UPDATE SKIP LOCKED)
                RETURNING automation_version_id, day, run_delta, success_delta, failure_delta, cost_delta
                """, ("tenant", tenantId), ("limit", options.Value.DrainBatchSize)))
            await using (var reader = await claim.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    changes.Add(new Change(reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1), reader.GetInt32(2), reader.GetInt32(3),
                        reader.GetInt32(4), reader.GetDecimal(5)));
                }
            }
            if (changes.Count > 0)
            {
                await ApplyAsync(db, tenantId, changes, ct);
            }
            return changes.Count;
        }, ct);
        if (result.IsError)
        {
            throw new InvalidOperationException($"Usage aggregation batch failed: {result.FirstError.Code}");
        }
        return result.Value;
    }

    /// <summary>Adds the sums per (version, day) and per (version, month) in one upsert, rows in a fixed order (no deadlocks).</summary>
    private async Task ApplyAsync(AppDbContext db, Guid tenantId, List<Change> changes, CancellationToken ct)
    {
        var days = changes.GroupBy(c => (c.VersionId, Start: c.Day, End: c.Day, Granularity: "day"));
        var months = changes.GroupBy(c =>
        {
            var first = new DateOnly(c.Day.Year, c.Day.Month, 1);
            return (c.VersionId, Start: first, End: first.AddMonths(1).AddDays(-1), Granularity: "month");
        });
        var rows = days.Concat(months)
            .Select(g => (g.Key, Runs: g.Sum(c => (long)c.Runs), Ok: g.Sum(c => (long)c.Succeeded), Failed: g.Sum(c => (long)c.Failed),
                Cost: g.Sum(c => c.Cost)))
            .Where(r => r.Runs != 0 || r.Ok != 0 || r.Failed != 0 || r.Cost != 0)
            .OrderBy(r => r.Key.VersionId).ThenBy(r => r.Key.Start).ThenBy(r => r.Key.End)
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        await using var upsert = db.Command("""
            INSERT INTO usage_aggregates AS u (id, tenant_id, automation_version_id, granularity, period_start, period_end, run_count,
                success_count, failure_count, total_cost, created_at, updated_at)
            SELECT x.id, @tenant, x.version, x.granularity, x.period_start, x.period_end, x.runs, x.ok, x.failed, x.cost, @now, @now
            FROM unnest(@ids, @versions, @granularities, @starts, @ends, @runs, @oks, @faileds, @costs)
                AS x(id, version, granularity, period_start, period_end, runs, ok, failed, cost)
            ORDER BY x.version, x.period_start, x.period_end
            ON CONFLICT (automation_version_id, period_start, period_end) DO UPDATE SET
                run_count = u.run_count + EXCLUDED.run_count,
                success_count = u.success_count + EXCLUDED.success_count,
                failure_count = u.failure_count + EXCLUDED.failure_count,
                total_cost = u.total_cost + EXCLUDED.total_cost,
                updated_at = EXCLUDED.updated_at
            """,
            ("tenant", tenantId), ("now", now),
            ("ids", rows.Select(_ => Guid.CreateVersion7()).ToArray()),
            ("versions", rows.Select(r => r.Key.VersionId).ToArray()),
            ("granularities", rows.Select(r => r.Key.Granularity).ToArray()),
            ("starts", rows.Select(r => r.Key.Start).ToArray()),
            ("ends", rows.Select(r => r.Key.End).ToArray()),
            ("runs", rows.Select(r => r.Runs).ToArray()),
            ("oks", rows.Select(r => r.Ok).ToArray()),
            ("faileds", rows.Select(r => r.Failed).ToArray()),
            ("costs", rows.Select(r => r.Cost).ToArray()));
        await upsert.ExecuteNonQueryAsync(ct);
    }
}
