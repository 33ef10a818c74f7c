using Coravel.Invocable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow28_UsageAggregation;

/// <summary>A day on which the platform's export and our aggregate disagree.</summary>
public sealed record UsageDifference(string WorkflowId, Guid? TenantId, Guid? AutomationVersionId, DateOnly Day,
    long PlatformRuns, long OurRuns, long PlatformSucceeded, long OurSucceeded, long PlatformFailed, long OurFailed,
    decimal PlatformCost, decimal OurCost);

public sealed record UsageSyncResult(bool Ran, int Rows, IReadOnlyList<UsageDifference> Differences);

/// <summary>
/// Flow 28's usage sync (every 5 minutes, one instance at a time by advisory lock): drains the pending deltas, then pulls the
/// WRK Platform's usage export for the last <see cref="UsageOptions.SyncDays"/> UTC days and compares it with our day rows.
/// Reconciling means reporting: our run events are the record we bill from (each one signed by the platform), so a
/// difference is logged as a warning with both figures (a missed or extra webhook delivery shows up here) and returned,
/// never added to the aggregates, which therefore can never count a run twice. A run still <c>running</c> on our side or
/// delivered after the export was cut shows as a difference until the next sync.
/// </summary>
internal sealed class UsageSync(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, IServiceProvider services, UsageAggregator aggregator,
    IOptions<UsageOptions> options, TimeProvider clock, ILogger<UsageSync> logger) : IInvocable, IHandler
{
    /// <summary>Arbitrary, fixed: the advisory-lock key of this tick across instances.</summary>
    public const long LockKey = 0x5752_4B55_5341_4745; // "WRKUSAGE"

    private sealed record BindingRow(Guid TenantId, Guid BindingId, Guid AutomationVersionId);

    private sealed record Ours(long Runs, long Succeeded, long Failed, decimal Cost);

    public Task Invoke() => RunAsync(CancellationToken.None);

    public async Task<UsageSyncResult> RunAsync(CancellationToken ct)
    {
        // A transaction-scoped lock in a transaction of its own, open for the whole run and holding nothing else (no row, and
        // no snapshot between statements under READ COMMITTED); the sync's units of work run on other connections, so none of
        // their transactions spans a platform call. Not a session-level lock: behind PgBouncer in transaction mode it would stay
        // on whichever server connection took it, the unlock would run on another, and the lock would leak to later clients.
        // It ends with the transaction: at the end of the run, or when the connection dies with the process.
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The transaction sits idle while the platform export is read: a server-side idle-in-transaction timeout must not end it
        // (and the lock with it) halfway through the run.
        await using (var noIdleTimeout = new NpgsqlCommand("SET LOCAL idle_in_transaction_session_timeout = 0", conn, tx))
        {
            await noIdleTimeout.ExecuteNonQueryAsync(ct);
        }
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("key", LockKey);
            if (await lockCmd.ExecuteScalarAsync(ct) is not true)
            {
                return new UsageSyncResult(false, 0, []);
            }
        }
        var result = await SyncAsync(ct);
        try
        {
            await tx.RollbackAsync(CancellationToken.None); // it holds only the lock: nothing to commit
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning(ex, "The usage sync's lock transaction had already ended; the sync itself completed");
        }
        return result;
    }

    private async Task<UsageSyncResult> SyncAsync(CancellationToken ct)
    {
        await aggregator.DrainAsync(ct);
        // Resolved here rather than injected: a build without a platform client (none configured) still aggregates.
        if (services.GetService<IWrkPlatformClient>() is not { } platform)
        {
            logger.LogWarning("Usage sync: no WRK Platform client is registered; nothing to compare");
            return new UsageSyncResult(false, 0, []);
        }
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = today.AddDays(1 - Math.Max(1, options.Value.SyncDays));
        var rows = new List<PlatformUsageRow>();
        string? cursor = null;
        do
        {
            var page = await platform.UsageSummaryAsync(from, today, cursor, ct);
            if (!page.IsOk)
            {
                logger.LogWarning("Usage sync: the platform's usage export is not available ({Outcome}: {Error}); trying again next tick",
                    page.Outcome, page.Error);
                return new UsageSyncResult(false, rows.Count, []);
            }
            rows.AddRange(page.Value!.Items);
            cursor = page.Value.NextCursor;
        }
        while (cursor is not null && rows.Count < 1_000_000);

        var differences = new List<UsageDifference>();
        foreach (var row in rows)
        {
            var difference = await CompareAsync(row, ct);
            if (difference is not null)
            {
                differences.Add(difference);
                logger.LogWarning(
                    "Usage sync: workflow {WorkflowId} (version {VersionId}, tenant {TenantId}) on {Day}: platform {PlatformRuns} runs " +
                    "({PlatformSucceeded} ok, {PlatformFailed} failed, cost {PlatformCost}), ours {OurRuns} ({OurSucceeded} ok, {OurFailed} failed, cost {OurCost})",
                    difference.WorkflowId, difference.AutomationVersionId, difference.TenantId, difference.Day, difference.PlatformRuns,
                    difference.PlatformSucceeded, difference.PlatformFailed, difference.PlatformCost, difference.OurRuns, difference.OurSucceeded,
                    difference.OurFailed, difference.OurCost);
            }
        }
        logger.LogInformation("Usage sync {From}..{To}: {Rows} platform rows, {Differences} differences", from, today, rows.Count, differences.Count);
        return new UsageSyncResult(true, rows.Count, differences);
    }

    private async Task<UsageDifference?> CompareAsync(PlatformUsageRow row, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var binding = (await db.Database
            .SqlQuery<BindingRow>($"SELECT tenant_id, binding_id, automation_version_id FROM app_workflow_binding({row.WorkflowId})")
            .ToListAsync(ct)).FirstOrDefault();
        if (binding is null)
        {
            return new UsageDifference(row.WorkflowId, null, null, row.Date, row.RunCount, 0, row.SuccessCount, 0, row.FailureCount, 0, row.Cost, 0);
        }
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(binding.TenantId);
        var ours = await UnitOfWork.RunAsync<Ours>(db, async () =>
        {
            var day = await db.UsageAggregates.AsNoTracking()
                .Where(u => u.AutomationVersionId == binding.AutomationVersionId && u.Granularity == "day" && u.PeriodStart == row.Date)
                .Select(u => new Ours(u.RunCount, u.SuccessCount, u.FailureCount, u.TotalCost))
                .FirstOrDefaultAsync(ct);
            return day ?? new Ours(0, 0, 0, 0);
        }, ct);
        var o = ours.IsError ? new Ours(0, 0, 0, 0) : ours.Value;
        return o.Runs == row.RunCount && o.Succeeded == row.SuccessCount && o.Failed == row.FailureCount && o.Cost == row.Cost
            ? null
            : new UsageDifference(row.WorkflowId, binding.TenantId, binding.AutomationVersionId, row.Date, row.RunCount, o.Runs,
                row.SuccessCount, o.Succeeded, row.FailureCount, o.Failed, row.Cost, o.Cost);
    }
}
