using Coravel.Invocable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace WrkCopilot.Features.Kernel.Events;

/// <summary>
/// Hourly: deletes stream events older than <see cref="EventStreamOptions.Retention"/> in every tenant, through
/// the SECURITY DEFINER <c>app_prune_stream_events</c> (the app role sees no rows without a tenant). Repeating it
/// is harmless; the advisory lock only keeps instances from doing the same work at once.
/// </summary>
public sealed class StreamEventCleanup(NpgsqlDataSource dataSource, IOptions<EventStreamOptions> options, TimeProvider clock,
    ILogger<StreamEventCleanup> logger) : IInvocable
{
    public const long LockKey = 0x5752_4B53_5452_4D43; // "WRKSTRMC"

    public Task Invoke() => RunAsync(CancellationToken.None);

    /// <summary>The number of events deleted, or null when another instance held the lock.</summary>
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
        await using var prune = new NpgsqlCommand("SELECT app_prune_stream_events(@cutoff)", conn, tx);
        prune.Parameters.AddWithValue("cutoff", clock.GetUtcNow() - options.Value.Retention);
        var deleted = (int)(await prune.ExecuteScalarAsync(ct))!;
        await tx.CommitAsync(ct);
        logger.LogInformation("Stream clean-up: {Deleted} events deleted", deleted);
        return deleted;
    }
}
