using System.Collections.Concurrent;
using Coravel.Queuing.Interfaces;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

/// <summary>What the recording job saw, shared by every scope of one app.</summary>
public sealed class JobRecorder
{
    /// <summary>Successful runs per job id.</summary>
    public ConcurrentDictionary<Guid, int> Runs { get; } = new();

    /// <summary>Automation names the job could read, per job id.</summary>
    public ConcurrentDictionary<Guid, string[]> SeenAutomations { get; } = new();

    /// <summary>Job ids whose run throws (a partner that is down) until removed.</summary>
    public ConcurrentDictionary<Guid, bool> Broken { get; } = new();
}

/// <summary>
/// Test-only job, registered through ConfigureTestServices (the production scan covers the Features assembly only).
/// Payload <c>{"mode": "ok" | "permanent" | "hang" | "read_automations"}</c>.
/// </summary>
internal sealed class RecordingJob(JobRecorder recorder, AppDbContext db) : IJobHandler
{
    public const string JobType = "test.recording";

    public string Type => JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var mode = job.Payload.RootElement.TryGetProperty("mode", out var m) ? m.GetString() : "ok";
        if (mode == "permanent")
        {
            throw new PermanentJobFailure("The partner refused the request for good.");
        }
        if (recorder.Broken.ContainsKey(job.Id))
        {
            throw new InvalidOperationException("The partner is down.");
        }
        if (mode == "hang")
        {
            // A partner that never answers: only the job's deadline ends the wait.
            await Task.Delay(Timeout.Infinite, ct);
        }
        if (mode == "read_automations")
        {
            // A job is a unit of work like a request: its transaction picks up the tenant the runner set.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            recorder.SeenAutomations[job.Id] = await db.Automations.Select(a => a.Name).ToArrayAsync(ct);
        }
        recorder.Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
    }
}

/// <summary>The app with <see cref="RecordingJob"/> registered; the dispatcher stays off (tests drive it).</summary>
public class RecordingApp : WrkApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<JobRecorder>();
            s.AddScoped<IJobHandler, RecordingJob>();
        });
    }

    public JobRecorder Recorder => Services.GetRequiredService<JobRecorder>();
}

/// <summary>The app with its scheduled dispatcher running, as in production.</summary>
public sealed class DispatcherApp : RecordingApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("Outbox:DispatcherEnabled", "true")];
}

/// <summary>Drives the dispatcher and runner by hand, as a given instance on a given clock.</summary>
internal static class OutboxDriver
{
    public static OutboxOptions Options(string instance) => new() { InstanceId = instance };

    public static OutboxDispatcher Dispatcher(WrkApp app, string instance, TimeProvider clock, int batchSize = 20) => new(
        app.Services.GetRequiredService<NpgsqlDataSource>(), app.Services.GetRequiredService<IQueue>(),
        Microsoft.Extensions.Options.Options.Create(new OutboxOptions { InstanceId = instance, BatchSize = batchSize }),
        clock, NullLogger<OutboxDispatcher>.Instance);

    public static async Task RunAsync(WrkApp app, OutboxClaim claim, string instance, TimeProvider clock)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var runner = new OutboxJobRunner(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetServices<IJobHandler>(),
            sp.GetRequiredService<TenantContext>(), Microsoft.Extensions.Options.Options.Create(Options(instance)), clock,
            NullLogger<OutboxJobRunner>.Instance);
        await runner.RunAsync(claim, CancellationToken.None);
    }

    /// <summary>One tick of one instance: claims what is due and runs all of it; returns the claimed ids.</summary>
    public static async Task<IReadOnlyList<Guid>> TickAsync(WrkApp app, string instance, TimeProvider clock)
    {
        var claimed = await Dispatcher(app, instance, clock).ClaimAsync(CancellationToken.None);
        foreach (var claim in claimed)
        {
            await RunAsync(app, claim, instance, clock);
        }
        return claimed.Select(c => c.Id).ToList();
    }

    /// <summary>Polls <paramref name="condition"/> until true or the timeout (a safety net, not a timing assert).</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (!cts.IsCancellationRequested)
        {
            if (await condition())
            {
                return true;
            }
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return await condition();
    }
}
