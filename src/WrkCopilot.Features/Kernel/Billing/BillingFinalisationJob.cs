using Coravel.Invocable;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Billing;

/// <summary>
/// Flow 20's schedule (the 1st of each month, 02:00 UTC): finalises every client tenant's period of the month before, one tenant
/// per transaction with that tenant set (writes are never cross-tenant). Every instance schedules it; a transaction-scoped
/// advisory lock held for the whole run lets one of them work. Re-running is harmless: finalised periods are left as they are,
/// so a run that died halfway is simply run again.
/// </summary>
public sealed class BillingFinalisationJob(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock,
    ILogger<BillingFinalisationJob> logger) : IInvocable
{
    /// <summary>Arbitrary, fixed: the advisory-lock key of this tick across instances.</summary>
    public const long LockKey = 0x5752_4B42_494C_4C53; // "WRKBILLS"

    /// <summary>
    /// Every day at 02:00 UTC, not only on the 1st: finalising an already final month is a cheap no-op, so a tick missed on
    /// the 1st (no instance up) or a tenant that failed is caught up the next day instead of waiting for someone.
    /// </summary>
    public const string Cron = "0 2 * * *";

    public sealed record Result(bool Ran, int Tenants, int Failed);

    public Task Invoke() => RunAsync(BillingMonth.Of(clock.GetUtcNow()).Previous, CancellationToken.None);

    public async Task<Result> RunAsync(BillingMonth month, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("key", LockKey);
            if (await lockCmd.ExecuteScalarAsync(ct) is not true)
            {
                logger.LogDebug("Billing finalisation: another instance holds the lock; skipped");
                return new Result(false, 0, 0);
            }
        }
        List<Guid> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // tenants is a global table: listing it needs no tenant and reveals nothing tenant-scoped.
            tenants = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.AsNoTracking()
                .Where(t => t.Kind == TenantKinds.Client).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct);
        }
        var failed = 0;
        foreach (var tenantId in tenants)
        {
            await using var scope = scopes.CreateAsyncScope();
            var sp = scope.ServiceProvider;
            sp.GetRequiredService<TenantContext>().Set(tenantId);
            var db = sp.GetRequiredService<AppDbContext>();
            var periods = sp.GetRequiredService<BillingPeriods>();
            try
            {
                var result = await UnitOfWork.RunAsync(db, () => periods.FinalizeAsync(tenantId, month, ct), ct);
                if (result.IsError)
                {
                    failed++;
                    logger.LogWarning("Billing finalisation of {Period} for tenant {TenantId} refused: {Error}", month, tenantId, result.FirstError.Description);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One tenant's failure must not keep the others from being billed; the next run retries it.
                failed++;
                logger.LogError(ex, "Billing finalisation of {Period} for tenant {TenantId} failed", month, tenantId);
            }
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Billing finalisation of {Period}: {Tenants} tenants, {Failed} failed", month, tenants.Count, failed);
        return new Result(true, tenants.Count, failed);
    }
}
