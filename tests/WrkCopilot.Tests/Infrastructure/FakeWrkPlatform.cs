using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WrkCopilot.Features.Integrations.WrkPlatform;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>The app with <see cref="FakeWrkPlatform"/> as its WRK Platform client.</summary>
public class PlatformApp : WrkApp
{
    public FakeWrkPlatform Platform { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IWrkPlatformClient>();
            s.AddSingleton<IWrkPlatformClient>(Platform);
        });
    }
}

/// <summary>
/// A WRK Platform in memory: records every call, keeps each workflow's state, and can be told to fail for one workflow
/// (keyed by workflow id, so the tests of a class sharing the app do not disturb each other) or to run something while a call
/// is in flight (between the handler's two transactions).
/// </summary>
public sealed class FakeWrkPlatform : IWrkPlatformClient
{
    private readonly ConcurrentDictionary<string, string> _state = new();
    private readonly ConcurrentDictionary<(string WorkflowId, string Action), PlatformResult<PlatformWorkflow>> _failures = new();
    private readonly ConcurrentDictionary<string, Func<Task>> _during = new();
    private readonly ConcurrentQueue<(string Action, string WorkflowId)> _calls = new();

    /// <summary>Every activate/deactivate call made, in order (successful or not).</summary>
    public IReadOnlyList<(string Action, string WorkflowId)> Calls => [.. _calls];

    public IReadOnlyList<string> CallsFor(string workflowId) => Calls.Where(c => c.WorkflowId == workflowId).Select(c => c.Action).ToList();

    /// <summary>The workflow's state on the platform ("active", "inactive"), or null if never touched.</summary>
    public string? StateOf(string workflowId) => _state.TryGetValue(workflowId, out var s) ? s : null;

    public void SetState(string workflowId, string state) => _state[workflowId] = state;

    /// <summary>Every <paramref name="action"/> ("activate", "deactivate") of the workflow answers <paramref name="result"/> until <see cref="Heal"/>.</summary>
    public void Fail(string workflowId, string action, PlatformResult<PlatformWorkflow> result) => _failures[(workflowId, action)] = result;

    public void Heal(string workflowId)
    {
        _failures.TryRemove((workflowId, "activate"), out _);
        _failures.TryRemove((workflowId, "deactivate"), out _);
    }

    /// <summary>Runs <paramref name="work"/> once, during the next call for the workflow (before it answers).</summary>
    public void During(string workflowId, Func<Task> work) => _during[workflowId] = work;

    public Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct) => SetAsync(workflowId, "activate", "active");

    public Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct) => SetAsync(workflowId, "deactivate", "inactive");

    private async Task<PlatformResult<PlatformWorkflow>> SetAsync(string workflowId, string action, string state)
    {
        _calls.Enqueue((action, workflowId));
        if (_during.TryRemove(workflowId, out var work))
        {
            await work();
        }
        if (_failures.TryGetValue((workflowId, action), out var failure))
        {
            return failure;
        }
        _state[workflowId] = state;
        return PlatformResult<PlatformWorkflow>.Ok(new PlatformWorkflow(workflowId, null, state));
    }

    public Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct)
    {
        var id = "wf_" + request.ExternalRef;
        _state.TryAdd(id, "inactive");
        return Task.FromResult(PlatformResult<PlatformWorkflow>.Ok(new PlatformWorkflow(id, null, _state[id])));
    }

    public Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct) =>
        Task.FromResult(PlatformResult<PlatformWorkflow>.Ok(new PlatformWorkflow(workflowId, null, StateOf(workflowId) ?? "inactive")));

    public Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct) =>
        Task.FromResult(PlatformResult<PlatformUsagePage>.Ok(new PlatformUsagePage([], null)));
}
