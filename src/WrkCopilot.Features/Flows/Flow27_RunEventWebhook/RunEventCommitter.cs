using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace WrkCopilot.Features.Flows.Flow27_RunEventWebhook;

/// <summary>What a committed delivery did, with the binding it resolved to (null when no binding has the workflow).</summary>
internal sealed record CommittedRunEvent(bool Written, Guid? TenantId, Guid? BindingId)
{
    /// <summary>Not written: too many deliveries are already waiting for a commit (answered 503, the platform retries).</summary>
    public static readonly CommittedRunEvent Busy = new(false, null, null);
}

/// <summary>
/// Group commit for Flow 27 (issue 7): a webhook answers only once its event is committed, but the deliveries in flight at the
/// same moment share one transaction and one commit. The first caller with nothing being written becomes the writer and takes
/// everything queued; callers arriving meanwhile queue for the next transaction. One round trip carries the whole batch: per event,
/// the binding lookup (which also sets the transaction's tenant, so RLS checks each row against its own tenant) and the upsert.
/// A batch that fails is written again one event per transaction, so one bad event never fails the others.
/// </summary>
internal sealed class RunEventCommitter(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<RunEventCommitter> logger)
{
    /// <summary>At most this many events per transaction; the rest wait for the next one.</summary>
    public const int MaxBatch = 256;

    private sealed record Pending(RunEventPayload Payload, string WebhookId, TaskCompletionSource<CommittedRunEvent> Done);

    private readonly Lock _gate = new();
    private List<Pending> _queued = [];
    private bool _writing;

    /// <summary>Deliveries waiting beyond this many are refused at once (<see cref="CommittedRunEvent.Busy"/>), not queued.</summary>
    public const int MaxQueued = 4 * MaxBatch;

    /// <summary>
    /// Completes once the event is committed (or was a repeat); never cancelled halfway, so a commit is never unreported. Faults
    /// with the database's error when the event itself is refused or the database cannot be reached.
    /// </summary>
    public Task<CommittedRunEvent> CommitAsync(RunEventPayload payload, string webhookId)
    {
        var pending = new Pending(payload, webhookId, new TaskCompletionSource<CommittedRunEvent>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (_gate)
        {
            if (_queued.Count >= MaxQueued)
            {
                return Task.FromResult(CommittedRunEvent.Busy);
            }
            _queued.Add(pending);
            lead = !_writing;
            _writing = true;
        }
        if (lead)
        {
            try
            {
                // Not on the leading request's execution context: the batch belongs to every request in it, not to the first.
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(WriteQueuedAsync);
                }
            }
            catch (Exception ex)
            {
                FailQueued(ex);
                throw;
            }
        }
        return pending.Done.Task;
    }

    /// <summary>Fails everything queued and lets the next delivery start a writer again.</summary>
    private void FailQueued(Exception ex)
    {
        List<Pending> queued;
        lock (_gate)
        {
            queued = _queued;
            _queued = [];
            _writing = false;
        }
        foreach (var p in queued)
        {
            p.Done.TrySetException(ex);
        }
    }

    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _writing = false;
                    return;
                }
                if (_queued.Count <= MaxBatch)
                {
                    batch = _queued;
                    _queued = [];
                }
                else
                {
                    batch = _queued[..MaxBatch];
                    _queued.RemoveRange(0, MaxBatch);
                }
            }
            await WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch)
    {
        try
        {
            var results = await WriteAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
        catch (PostgresException ex) when (batch.Count > 1 &&
                                           (!ex.IsTransient || ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure))
        {
            // A statement refused (one event the database refuses), or a deadlock with another instance's batch: each event
            // alone decides its own fate. Not for a database that cannot be reached: that fails the whole batch at once below.
            logger.LogWarning(ex, "A batch of {Count} run events failed ({SqlState}); writing them one by one", batch.Count, ex.SqlState);
            foreach (var pending in batch)
            {
                await WriteBatchAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    private async Task<CommittedRunEvent[]> WriteAsync(List<Pending> batch)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var tx = await conn.BeginTransactionAsync(CancellationToken.None);
        await using var cmd = new NpgsqlBatch(conn, tx);
        cmd.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('app.staff_read', 'off', true)"));
        foreach (var p in batch)
        {
            // The lookup always answers one row and sets both the tenant and the binding it saw, so the upsert after it acts on that
            // binding only (a binding committed between the two statements is not picked up halfway) and, with none, inserts nothing.
            var lookup = new NpgsqlBatchCommand("""
                SELECT b.tenant_id, b.binding_id, set_config('app.tenant_id', coalesce(b.tenant_id::text, ''), true),
                    set_config('app.run_event_binding', coalesce(b.binding_id::text, ''), true)
                FROM (SELECT 1) one LEFT JOIN app_workflow_binding(@workflow) b ON true
                """);
            lookup.Parameters.Add(new NpgsqlParameter("workflow", NpgsqlDbType.Text) { Value = p.Payload.WorkflowId });
            cmd.BatchCommands.Add(lookup);
            cmd.BatchCommands.Add(Upsert(p, now));
        }

        var results = new CommittedRunEvent[batch.Count];
        await using (var reader = await cmd.ExecuteReaderAsync(CancellationToken.None))
        {
            await reader.NextResultAsync(); // past set_config
            for (var i = 0; i < batch.Count; i++)
            {
                Guid? tenantId = null, bindingId = null;
                if (await reader.ReadAsync() && !reader.IsDBNull(0))
                {
                    tenantId = reader.GetGuid(0);
                    bindingId = reader.GetGuid(1);
                }
                await reader.NextResultAsync();
                var written = await reader.ReadAsync();
                await reader.NextResultAsync();
                results[i] = new CommittedRunEvent(written, tenantId, bindingId);
            }
        }
        await tx.CommitAsync(CancellationToken.None);
        return results;
    }

    /// <summary>
    /// One statement, atomic under concurrent deliveries of the same run: a new run is inserted; a known one is updated only from
    /// <c>running</c> to a final status. A final status is never overwritten (by an older <c>running</c> or by another final one),
    /// and a repeat changes nothing. Returns a row when one was written.
    /// </summary>
    private static NpgsqlBatchCommand Upsert(Pending pending, DateTimeOffset now)
    {
        var p = pending.Payload;
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO run_events AS r (id, tenant_id, workflow_binding_id, automation_version_id, run_id, status, started_at,
                completed_at, error_message, cost, metadata_json, webhook_id, created_at, updated_at)
            SELECT @id, b.tenant_id, b.binding_id, b.automation_version_id, @run, @status, @started, @completed, @error, @cost,
                @metadata::jsonb, @webhook, @now, @now
            FROM app_workflow_binding(@workflow) b
            WHERE b.binding_id::text = current_setting('app.run_event_binding', true)
            ON CONFLICT (workflow_binding_id, run_id) DO UPDATE SET
                status = EXCLUDED.status, started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at,
                error_message = EXCLUDED.error_message, cost = EXCLUDED.cost, metadata_json = EXCLUDED.metadata_json,
                webhook_id = EXCLUDED.webhook_id, updated_at = EXCLUDED.updated_at
            WHERE r.status = 'running' AND EXCLUDED.status <> 'running' AND r.webhook_id IS DISTINCT FROM EXCLUDED.webhook_id
            RETURNING r.id
            """);
        // Typed, because an untyped null in INSERT … SELECT would be taken as text.
        Add(cmd, "id", NpgsqlDbType.Uuid, Guid.CreateVersion7());
        Add(cmd, "workflow", NpgsqlDbType.Text, p.WorkflowId);
        Add(cmd, "run", NpgsqlDbType.Text, p.RunId);
        Add(cmd, "status", NpgsqlDbType.Text, p.Status);
        Add(cmd, "started", NpgsqlDbType.TimestampTz, p.StartedAt);
        Add(cmd, "completed", NpgsqlDbType.TimestampTz, p.CompletedAt);
        Add(cmd, "error", NpgsqlDbType.Text, p.ErrorMessage);
        Add(cmd, "cost", NpgsqlDbType.Numeric, p.Cost);
        Add(cmd, "metadata", NpgsqlDbType.Text, p.MetadataJson);
        Add(cmd, "webhook", NpgsqlDbType.Text, pending.WebhookId);
        Add(cmd, "now", NpgsqlDbType.TimestampTz, now);
        return cmd;
    }

    private static void Add(NpgsqlBatchCommand cmd, string name, NpgsqlDbType type, object? value) =>
        cmd.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
}

public static class RunEventWebhookServices
{
    /// <summary>Flow 27's group commit: one per process, shared by every delivery.</summary>
    public static IServiceCollection AddRunEventWebhook(this IServiceCollection services) =>
        services.AddSingleton<RunEventCommitter>();
}
