using Coravel.Invocable;
using Coravel.Queuing.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Kernel.Observability;

namespace WrkCopilot.Features.Kernel.Outbox;

/// <summary>
/// Coravel-scheduled every second: claims due rows with a lease (<c>FOR UPDATE SKIP LOCKED</c>, so several
/// instances can run side by side and never claim the same row) and hands each to Coravel's queue.
/// </summary>
public sealed class OutboxDispatcher(NpgsqlDataSource dataSource, IQueue queue, IOptions<OutboxOptions> options,
    TimeProvider clock, ILogger<OutboxDispatcher> logger, WrkMetrics? metrics = null) : IInvocable
{
    public async Task Invoke()
    {
        var claimed = await ClaimAsync(CancellationToken.None);
        foreach (var claim in claimed)
        {
            queue.QueueInvocableWithPayload<OutboxJobRunner, OutboxClaim>(claim);
        }
        if (claimed.Count > 0)
        {
            logger.LogDebug("Outbox: claimed {Count} rows", claimed.Count);
        }
    }

    /// <summary>
    /// Claims up to a batch of due rows (or rows whose lease expired). Each claim gets its own token in
    /// <c>locked_by</c> (instance + random), so a run whose lease was taken over — even by this same
    /// instance — can no longer load or finish the row.
    /// </summary>
    public async Task<IReadOnlyList<OutboxClaim>> ClaimAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // A row whose last attempt never finished (its process died, e.g. killed by the job itself) is dead,
        // not claimed again: otherwise a job that crashes its host would do so forever.
        await using (var expire = new NpgsqlCommand(
            """
            UPDATE outbox SET status = 'dead', locked_until = NULL,
                              last_error = 'The last attempt did not finish before its lease expired (the process stopped or the job hung).'
            WHERE status = 'processing' AND locked_until < @now AND attempts >= max_attempts
            RETURNING queue
            """, conn))
        {
            expire.Parameters.AddWithValue("now", now);
            await using var expired = await expire.ExecuteReaderAsync(ct);
            while (await expired.ReadAsync(ct))
            {
                metrics?.DeadLettered(expired.GetString(0));
            }
        }
        await using var cmd = new NpgsqlCommand(
            """
            UPDATE outbox SET status = 'processing', locked_until = @lease_end, locked_by = @me || ':' || gen_random_uuid()::text,
                              attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE (status = 'pending' AND available_at <= @now)
                   OR (status = 'processing' AND locked_until < @now)
                ORDER BY available_at
                LIMIT @batch
                FOR UPDATE SKIP LOCKED)
            RETURNING id, locked_by
            """, conn);
        cmd.Parameters.AddWithValue("lease_end", now + o.Lease);
        cmd.Parameters.AddWithValue("me", o.InstanceId);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("batch", o.BatchSize);
        var claims = new List<OutboxClaim>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claims.Add(new OutboxClaim(reader.GetGuid(0), reader.GetString(1)));
        }
        return claims;
    }
}

/// <summary>One claim of one outbox row: the row id and the token its <c>locked_by</c> holds for this claim only.</summary>
public sealed record OutboxClaim(Guid Id, string Token);
