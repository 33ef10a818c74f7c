using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WrkCopilot.Features.Kernel.Events;

/// <summary>
/// One LISTEN connection per app instance: every committed <c>pg_notify</c> on the stream channel wakes this
/// instance's subscribers of that tenant. Reconnects after a failure and then wakes everyone, since
/// notifications sent while it was away are lost (the rows are not: subscribers re-read from their last id).
/// LISTEN needs a session of its own: behind PgBouncer in transaction mode (<c>ConnectionStrings:Default</c>) it would stay on a
/// pooled server connection that no longer belongs to this listener, and no wake-up would arrive. <c>ConnectionStrings:Listen</c>
/// (same app role, straight to PostgreSQL or to a session-mode pool) is used for it when set.
/// </summary>
internal sealed class StreamEventListener(NpgsqlDataSource dataSource, IConfiguration config, StreamHub hub, ILogger<StreamEventListener> logger)
    : BackgroundService
{
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        // Streams opened right after start should not miss their first events; never block start for long.
        await Task.WhenAny(_listening.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var own = config.GetConnectionString("Listen") is { Length: > 0 } direct ? NpgsqlDataSource.Create(direct) : null;
        var source = own ?? dataSource;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await source.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, n) =>
                {
                    if (Guid.TryParse(n.Payload, out var tenantId))
                    {
                        hub.Wake(tenantId);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {StreamEventInterceptor.Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                hub.WakeAll();
                _listening.TrySetResult();
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A silent network drop never ends a wait: ping between waits so a dead connection fails and is replaced.
                    if (!await conn.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", conn);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Event stream listener lost its connection; reconnecting");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
