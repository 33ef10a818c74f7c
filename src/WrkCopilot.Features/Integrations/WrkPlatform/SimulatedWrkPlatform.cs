using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>What one batch of simulated runs came to.</summary>
public sealed record SimulatedRunBatch(string WorkflowId, int Sent, int Delivered, int Succeeded, int Failed);

/// <summary>
/// The WRK Platform in process (<c>WrkPlatform:Mode=Simulated</c>, the default without a <c>BaseUrl</c>), so the whole lifecycle
/// runs on one machine: workflows live in memory for the life of the process, keyed by id and by external reference, and
/// behave as docs/wrk-platform-api.md says (idempotent create, activate and deactivate; 404 for an unknown workflow). It runs
/// nothing by itself; <see cref="EmitRunsAsync"/> (the admin endpoint, the schedule) plays runs of a workflow and delivers
/// each as a signed run event to our webhook, and counts them in the usage export as the real platform would, whether or
/// not the webhook took the event (that gap is what the usage sync reconciles).
/// </summary>
public sealed class SimulatedWrkPlatform(IRunEventSender sender, WebhookSecretKeys secrets, TimeProvider clock,
    ILogger<SimulatedWrkPlatform> logger) : IWrkPlatformClient
{
    public const string UrlBase = "https://wrk-platform.simulator.local/workflows/";
    private const int UsagePageSize = 100;
    private const string IdPrefix = "wf_sim_";
    private static readonly JsonSerializerOptions EventJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private sealed class Workflow(string id, string externalRef, string tenantRef, string name, string blueprint)
    {
        public string Id { get; } = id;
        public string ExternalRef { get; } = externalRef;
        public string TenantRef { get; } = tenantRef;
        public string Name { get; } = name;
        public string Blueprint { get; set; } = blueprint;
        public int Revision { get; set; } = 1;
        public string Status { get; set; } = "inactive";

        public PlatformWorkflow View() => new(Id, UrlBase + Id, Status);
    }

    private sealed class Usage
    {
        public long Runs;
        public long Succeeded;
        public long Failed;
        public decimal Cost;
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Workflow> _byId = [];
    private readonly Dictionary<string, Workflow> _byRef = [];
    private readonly SortedDictionary<(DateOnly Date, string WorkflowId), Usage> _usage = [];

    public Task<PlatformResult<PlatformWorkflow>> CreateWorkflowAsync(CreateWorkflow request, CancellationToken ct)
    {
        if (request.Blueprint.ValueKind != JsonValueKind.Object)
        {
            return Result(PlatformResult<PlatformWorkflow>.Rejected(422, "invalid_blueprint", "The blueprint must be a JSON object."));
        }
        lock (_lock)
        {
            if (_byRef.TryGetValue(request.ExternalRef, out var existing))
            {
                return Result(existing.TenantRef == request.TenantRef
                    ? PlatformResult<PlatformWorkflow>.Ok(existing.View())
                    : PlatformResult<PlatformWorkflow>.Rejected(409, "external_ref_conflict", "The external reference belongs to another tenant."));
            }
            var workflow = new Workflow(IdPrefix + Guid.CreateVersion7().ToString("N"), request.ExternalRef, request.TenantRef,
                request.Name, request.Blueprint.GetRawText());
            _byId[workflow.Id] = workflow;
            _byRef[workflow.ExternalRef] = workflow;
            return Result(PlatformResult<PlatformWorkflow>.Ok(workflow.View()));
        }
    }

    public Task<PlatformResult<PlatformWorkflow>> UpdateWorkflowAsync(string workflowId, UpdateWorkflow request, CancellationToken ct)
    {
        if (request.Blueprint.ValueKind != JsonValueKind.Object)
        {
            return Result(PlatformResult<PlatformWorkflow>.Rejected(422, "invalid_blueprint", "The blueprint must be a JSON object."));
        }
        return Change(workflowId, w =>
        {
            w.Blueprint = request.Blueprint.GetRawText();
            w.Revision++;
        });
    }

    public Task<PlatformResult<PlatformWorkflow>> ActivateAsync(string workflowId, CancellationToken ct) =>
        Change(workflowId, w => w.Status = "active");

    public Task<PlatformResult<PlatformWorkflow>> DeactivateAsync(string workflowId, CancellationToken ct) =>
        Change(workflowId, w => w.Status = "inactive");

    public Task<PlatformResult<PlatformUsagePage>> UsageSummaryAsync(DateOnly from, DateOnly to, string? cursor, CancellationToken ct)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            return Result(PlatformResult<PlatformUsagePage>.Rejected(400, "invalid_cursor", "The cursor is not one this export gave."));
        }
        lock (_lock)
        {
            var rows = _usage.Where(u => u.Key.Date >= from && u.Key.Date <= to).ToList();
            var page = rows.Skip(offset).Take(UsagePageSize)
                .Select(u => new PlatformUsageRow(u.Key.WorkflowId, u.Key.Date, u.Value.Runs, u.Value.Succeeded, u.Value.Failed, u.Value.Cost))
                .ToList();
            var next = offset + page.Count < rows.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null;
            return Result(PlatformResult<PlatformUsagePage>.Ok(new PlatformUsagePage(page, next)));
        }
    }

    /// <summary>The workflows that are active now (the schedule plays runs for these).</summary>
    public IReadOnlyList<string> ActiveWorkflowIds()
    {
        lock (_lock)
        {
            return _byId.Values.Where(w => w.Status == "active").Select(w => w.Id).ToList();
        }
    }

    /// <summary>A workflow as the simulator holds it (for tests and the admin endpoint), or null.</summary>
    public PlatformWorkflow? Find(string workflowId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(workflowId, out var w) ? w.View() : null;
        }
    }

    /// <summary>The blueprint and revision the simulator holds for a workflow (1 on create, +1 per update), or null.</summary>
    public (string Blueprint, int Revision)? Definition(string workflowId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(workflowId, out var w) ? (w.Blueprint, w.Revision) : null;
        }
    }

    /// <summary>
    /// Plays <paramref name="count"/> finished runs of a workflow (each failing with probability <paramref name="failureRate"/>)
    /// and delivers each as a signed run event, one after another. Null when the workflow does not exist.
    /// </summary>
    public async Task<SimulatedRunBatch?> EmitRunsAsync(string workflowId, int count, double failureRate, CancellationToken ct)
    {
        // Like the real platform, only an active workflow runs: a paused or archived version gains no usage.
        if (Find(workflowId) is not { Status: "active" })
        {
            return null;
        }
        var secret = secrets.SigningSecret
            ?? throw new InvalidOperationException("No webhook secret to sign with: WrkPlatform:WebhookSecrets is empty outside Simulated mode.");
        int delivered = 0, succeeded = 0, failed = 0;
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var now = clock.GetUtcNow();
            var ok = Random.Shared.NextDouble() >= failureRate;
            var started = now - TimeSpan.FromMilliseconds(Random.Shared.Next(200, 30_000));
            var cost = Math.Round(0.01m + (decimal)Random.Shared.Next(0, 400) / 10_000m, 4);
            var body = JsonSerializer.SerializeToUtf8Bytes(new
            {
                workflow_id = workflowId,
                run_id = "run_sim_" + Guid.CreateVersion7().ToString("N"),
                status = ok ? "succeeded" : "failed",
                started_at = started,
                completed_at = now,
                error_message = ok ? null : "Simulated failure: the target system answered 500.",
                cost,
                metadata = new { simulated = true },
            }, EventJson);
            Record(workflowId, DateOnly.FromDateTime(started.UtcDateTime), ok, cost);
            if (ok)
            {
                succeeded++;
            }
            else
            {
                failed++;
            }
            var id = "msg_" + Guid.CreateVersion7().ToString("N");
            var timestamp = now.ToUnixTimeSeconds();
            var status = await sender.SendAsync(new SignedRunEvent(id, timestamp, WebhookSignatures.Sign(secret, id, timestamp, body), body), ct);
            if (status is >= 200 and < 300)
            {
                delivered++;
            }
            else
            {
                logger.LogWarning("Simulated run event for {WorkflowId} was not taken by the webhook: {Status}", workflowId,
                    status?.ToString(CultureInfo.InvariantCulture) ?? "unreachable");
            }
        }
        return new SimulatedRunBatch(workflowId, count, delivered, succeeded, failed);
    }

    private void Record(string workflowId, DateOnly date, bool succeeded, decimal cost)
    {
        lock (_lock)
        {
            if (!_usage.TryGetValue((date, workflowId), out var usage))
            {
                usage = new Usage();
                _usage[(date, workflowId)] = usage;
            }
            usage.Runs++;
            if (succeeded)
            {
                usage.Succeeded++;
            }
            else
            {
                usage.Failed++;
            }
            usage.Cost += cost;
        }
    }

    private Task<PlatformResult<PlatformWorkflow>> Change(string workflowId, Action<Workflow> change)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(workflowId, out var workflow))
            {
                if (!workflowId.StartsWith(IdPrefix, StringComparison.Ordinal))
                {
                    return Result(PlatformResult<PlatformWorkflow>.Rejected(404, "workflow_not_found", $"No workflow '{workflowId}'."));
                }
                // One of ours from before a restart (the simulator keeps workflows in memory): it is adopted, so a local
                // lifecycle survives `dotnet run` restarts instead of failing every launch with 404.
                workflow = new Workflow(workflowId, workflowId, "", workflowId, "{}");
                _byId[workflowId] = workflow;
                _byRef[workflowId] = workflow;
            }
            change(workflow);
            return Result(PlatformResult<PlatformWorkflow>.Ok(workflow.View()));
        }
    }

    private static Task<PlatformResult<T>> Result<T>(PlatformResult<T> result) => Task.FromResult(result);
}
