using System.Globalization;
using Coravel.Invocable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow28_UsageAggregation;

/// <summary>
/// Flow 28's threshold evaluation (every minute, one instance at a time by advisory lock). For each tenant with thresholds, in
/// that tenant's own transaction:
/// <list type="bullet">
/// <item><c>failure_rate</c>: per version, the last <c>window_runs</c> finished runs (completed in the last 30 days); only a full
/// window counts. One alert per version per UTC day.</item>
/// <item><c>volume</c>: per version, this UTC month's runs (month aggregate) as a percentage of the committed volume of its
/// signed quote (<c>committed_volume</c>, or <c>estimated_volume</c> when none was committed). One alert per version per month.</item>
/// <item><c>budget</c>: the tenant's total run cost this UTC month (month aggregates) against <c>monthly_budget</c>. One per month.</item>
/// </list>
/// An alert row is unique per (tenant, kind, version, period); only a newly inserted one notifies the tenant's admins.
/// </summary>
internal sealed class ThresholdEvaluator(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, IOptions<UsageOptions> options,
    TimeProvider clock, ILogger<ThresholdEvaluator> logger) : IInvocable, IHandler
{
    public const long LockKey = 0x5752_4B41_4C45_5254; // "WRKALERT"

    private sealed record ThresholdTenant(Guid TenantId);

    private sealed record Breach(string Kind, Guid? VersionId, string PeriodKey, decimal Value, string Message);

    public Task Invoke() => RunAsync(CancellationToken.None);

    /// <summary>Evaluates every tenant's thresholds; the number of alerts opened (null when another instance holds the lock).</summary>
    public async Task<int?> RunAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("key", LockKey);
            if (await lockCmd.ExecuteScalarAsync(ct) is not true)
            {
                return null;
            }
        }
        List<Guid> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            tenants = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database
                .SqlQuery<ThresholdTenant>($"SELECT tenant_id FROM app_alert_threshold_tenants()")
                .Select(t => t.TenantId).ToListAsync(ct);
        }
        var opened = 0;
        foreach (var tenantId in tenants)
        {
            try
            {
                opened += await EvaluateTenantAsync(tenantId, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Threshold evaluation for tenant {TenantId} failed", tenantId);
            }
        }
        await tx.CommitAsync(ct);
        return opened;
    }

    private async Task<int> EvaluateTenantAsync(Guid tenantId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenantId);
        var db = sp.GetRequiredService<AppDbContext>();
        var outbox = sp.GetRequiredService<OutboxWriter>();
        var result = await UnitOfWork.RunAsync<int>(db, async () =>
        {
            var threshold = await db.AlertThresholds.AsNoTracking().FirstOrDefaultAsync(ct);
            if (threshold is null)
            {
                return 0;
            }
            var now = clock.GetUtcNow();
            var monthStart = new DateOnly(now.Year, now.Month, 1);
            var monthKey = monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var breaches = new List<Breach>();

            if (threshold.FailureRatePct is { } pct)
            {
                var window = threshold.WindowRuns ?? options.Value.DefaultWindowRuns;
                await using var cmd = db.Command("""
                    SELECT automation_version_id, count(*), sum(failed) FROM (
                        SELECT automation_version_id, (status = 'failed')::int AS failed,
                               row_number() OVER (PARTITION BY automation_version_id ORDER BY completed_at DESC, id DESC) AS n
                        FROM run_events WHERE status <> 'running' AND completed_at >= @since) w
                    WHERE n <= @window GROUP BY automation_version_id
                    """, ("since", now.AddDays(-30)), ("window", window));
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var (version, runs, failed) = (reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2));
                    var rate = Math.Round(failed * 100m / runs, 2);
                    if (runs >= window && rate >= pct)
                    {
                        breaches.Add(new Breach("failure_rate", version, now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), rate,
                            $"{rate}% of the last {runs} runs failed (threshold {pct}%)."));
                    }
                }
            }

            if (threshold.VolumePctOfCommitted is { } volumePct)
            {
                var monthRuns = await db.UsageAggregates.AsNoTracking()
                    .Where(u => u.Granularity == "month" && u.PeriodStart == monthStart)
                    .Select(u => new { u.AutomationVersionId, u.RunCount })
                    .ToListAsync(ct);
                var versionIds = monthRuns.Select(m => m.AutomationVersionId).ToList();
                var committed = (await db.Quotes.AsNoTracking()
                        .Where(q => q.Status == "signed" && versionIds.Contains(q.AutomationVersionId))
                        .Select(q => new { q.AutomationVersionId, q.SignedAt, Volume = q.CommittedVolume ?? q.EstimatedVolume })
                        .ToListAsync(ct))
                    .GroupBy(q => q.AutomationVersionId)
                    .ToDictionary(g => g.Key, g => g.OrderByDescending(q => q.SignedAt).First().Volume);
                foreach (var m in monthRuns)
                {
                    if (committed.TryGetValue(m.AutomationVersionId, out var volume) && volume > 0)
                    {
                        var used = Math.Round(m.RunCount * 100m / volume, 2);
                        if (used >= volumePct)
                        {
                            breaches.Add(new Breach("volume", m.AutomationVersionId, monthKey, used,
                                $"{m.RunCount} runs this month are {used}% of the committed {volume} (threshold {volumePct}%)."));
                        }
                    }
                }
            }

            if (threshold.MonthlyBudget is { } budget)
            {
                var spend = await db.UsageAggregates.AsNoTracking()
                    .Where(u => u.Granularity == "month" && u.PeriodStart == monthStart)
                    .SumAsync(u => u.TotalCost, ct);
                if (spend >= budget)
                {
                    breaches.Add(new Breach("budget", null, monthKey, spend,
                        $"Run cost this month is {spend:0.00}, at or over the monthly budget of {budget:0.00}."));
                }
            }

            var opened = 0;
            foreach (var b in breaches)
            {
                var id = Guid.CreateVersion7();
                await using var insert = db.Command("""
                    INSERT INTO alerts (id, tenant_id, automation_version_id, kind, period_key, status, message, value, created_at)
                    VALUES (@id, @tenant, @version, @kind, @period, 'open', @message, @value, @now)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """, ("id", id), ("tenant", tenantId), ("version", b.VersionId), ("kind", b.Kind), ("period", b.PeriodKey),
                    ("message", b.Message), ("value", b.Value), ("now", now));
                if (await insert.ExecuteScalarAsync(ct) is Guid)
                {
                    opened++;
                    outbox.Notify("alert.opened",
                        new { alert_id = id, kind = b.Kind, automation_version_id = b.VersionId, period_key = b.PeriodKey, value = b.Value },
                        NotificationAudience.TenantAdmins(), Title(b.Kind), b.Message);
                }
            }
            await db.SaveChangesAsync(ct);
            return opened;
        }, ct);
        if (result.IsError)
        {
            throw new InvalidOperationException($"Threshold evaluation failed: {result.FirstError.Code}");
        }
        return result.Value;
    }

    private static string Title(string kind) => kind switch
    {
        "failure_rate" => "Failure rate threshold reached",
        "volume" => "Committed volume threshold reached",
        _ => "Monthly budget reached",
    };
}
