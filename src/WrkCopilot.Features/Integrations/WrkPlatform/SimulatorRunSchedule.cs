using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>
/// In Simulated mode with <c>WrkPlatform:Simulator:RunsPerMinute</c> above 0, plays that many runs a minute for every active
/// workflow, evenly spaced, so a launched automation shows runs and usage without anyone sending them. The simulator is one
/// process's memory, so every instance plays only its own workflows and no cross-instance lock is needed.
/// </summary>
internal sealed class SimulatorRunSchedule(
    SimulatedWrkPlatform simulator,
    IOptions<WrkPlatformOptions> platform,
    IOptions<SimulatorOptions> options,
    TimeProvider clock,
    ILogger<SimulatorRunSchedule> logger) : BackgroundService
{
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!platform.Value.IsSimulated || o.RunsPerMinute <= 0)
        {
            return;
        }
        var period = TimeSpan.FromMinutes(1) / o.RunsPerMinute;
        using var timer = new PeriodicTimer(period < ShortestPeriod ? ShortestPeriod : period, clock);
        logger.LogInformation("WRK Platform simulator: {RunsPerMinute} runs a minute per active workflow", o.RunsPerMinute);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>One run for each active workflow.</summary>
    internal async Task TickAsync(CancellationToken ct)
    {
        foreach (var workflowId in simulator.ActiveWorkflowIds())
        {
            try
            {
                await simulator.EmitRunsAsync(workflowId, 1, Math.Clamp(options.Value.FailureRate, 0, 1), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A schedule that stops on one bad delivery would stop the whole local demo.
                logger.LogWarning(ex, "WRK Platform simulator could not play a run of {WorkflowId}", workflowId);
            }
        }
    }
}
