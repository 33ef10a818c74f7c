using Coravel.Invocable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WrkCopilot.Features.Kernel.Outbox;

/// <summary>
/// Hourly: deletes done outbox rows older than <see cref="OutboxOptions.DoneRetention"/> and expired
/// idempotency keys. Every instance schedules it; the transaction-scoped advisory lock keeps runs from overlapping (a later repeat is harmless).
/// Dead rows are kept: staff still have to look at them.
/// </summary>
public sealed class OutboxCleanup(NpgsqlDataSource dataSource, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxCleanup> logger) : IInvocable
{
    /// <summary>Arbitrary, fixed: the advisory-lock key of this tick across instances.</summary>
    public const long LockKey = 0x5752_4B43_4C45_414E; // "WRKCLEAN"

    public sealed record Result(bool Ran, int OutboxRowsDeleted, int IdempotencyKeysDeleted);

    public Task Invoke() => RunAsync(CancellationToken.None);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("key", LockKey);
            if (await lockCmd.ExecuteScalarAsync(ct) is not true)
            {
                logger.LogDebug("Outbox clean-up: another instance holds the lock; skipped");
                return new Result(false, 0, 0);
            }
        }
        int outbox, keys;
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM outbox WHERE status = 'done' AND COALESCE(completed_at, created_at) < @cutoff", conn, tx))
        {
            delete.Parameters.AddWithValue("cutoff", now - options.Value.DoneRetention);
            outbox = await delete.ExecuteNonQueryAsync(ct);
        }
        await using (var delete = new NpgsqlCommand("DELETE FROM idempotency_keys WHERE expires_at <= @now", conn, tx))
        {
            delete.Parameters.AddWithValue("now", now);
            keys = await delete.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Outbox clean-up: {Outbox} done rows and {Keys} idempotency keys deleted", outbox, keys);
        return new Result(true, outbox, keys);
    }
}
