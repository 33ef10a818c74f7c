using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Kernel.Observability;

/// <summary>Backlog of one queue: rows still to run (pending or processing) and how long the oldest due one has waited.</summary>
public sealed record QueueBacklog(string Queue, long Depth, double OldestDueAgeSeconds);

/// <summary>
/// Reads the outbox backlog per queue for the gauges, at most once per <see cref="ObservabilityOptions.OutboxSampleInterval"/>
/// whatever the scrape rate (one indexed aggregate over the partial <c>ix_outbox_due</c> index). The known queues are
/// always reported, at zero when empty, so that an alert on them has a series to look at.
/// </summary>
public sealed class OutboxBacklog(NpgsqlDataSource dataSource, IOptions<ObservabilityOptions> options, TimeProvider clock,
    ILogger<OutboxBacklog> logger)
{
    private static readonly string[] KnownQueues = [Queues.BuildRequests, Queues.AiIngestion, Queues.Notifications, Queues.UsageSync];

    private readonly Lock _gate = new();
    private IReadOnlyList<QueueBacklog> _last = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public IReadOnlyList<QueueBacklog> Sample()
    {
        // Collection callbacks are synchronous; the lock also makes concurrent scrapes share one read.
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (now - _readAt < options.Value.OutboxSampleInterval)
            {
                return _last;
            }
            try
            {
                _last = Read(now);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // A scrape must not fail because the database is down; the stale figures stay until it is back,
                // and the pool and request-error series tell that story meanwhile.
                logger.LogWarning(ex, "Could not read the outbox backlog for the metrics");
            }
            _readAt = now;
            return _last;
        }
    }

    private List<QueueBacklog> Read(DateTimeOffset now)
    {
        using var conn = dataSource.OpenConnection();
        using var cmd = new NpgsqlCommand(
            """
            SELECT queue, count(*),
                   COALESCE(EXTRACT(EPOCH FROM (@now - min(available_at) FILTER (WHERE status = 'pending' AND available_at <= @now))), 0)::float8
            FROM outbox
            WHERE status IN ('pending', 'processing')
            GROUP BY queue
            """, conn);
        cmd.CommandTimeout = 5;
        cmd.Parameters.AddWithValue("now", now);
        var found = new Dictionary<string, QueueBacklog>(StringComparer.Ordinal);
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var queue = r.GetString(0);
                found[queue] = new QueueBacklog(queue, r.GetInt64(1), Math.Max(0, r.GetDouble(2)));
            }
        }
        foreach (var queue in KnownQueues.Where(q => !found.ContainsKey(q)))
        {
            found[queue] = new QueueBacklog(queue, 0, 0);
        }
        return [.. found.Values.OrderBy(q => q.Queue, StringComparer.Ordinal)];
    }
}
