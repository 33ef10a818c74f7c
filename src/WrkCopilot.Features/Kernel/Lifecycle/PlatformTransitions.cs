using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Lifecycle;

public enum PlatformAction
{
    Activate,
    Deactivate,
}

/// <summary>
/// One idempotent platform call of a plan. <paramref name="ChangesState"/>: the binding's stored status differs from what the
/// call makes it, so undoing the call after a later one failed restores what the database still says.
/// </summary>
public sealed record PlatformCall(string WorkflowId, PlatformAction Action, bool ChangesState);

/// <summary>
/// What the first transaction decided: the platform calls to make (in order) and the row versions of every version the
/// second transaction will change, which must still be current when it commits.
/// </summary>
/// <paramref name="Replaces"/> (T8 only): the versions T8 archives as planned; the second transaction refuses when the set it
/// computes differs (another launch got in between).
public sealed record PlatformPlan(IReadOnlyList<PlatformCall> Calls, IReadOnlyDictionary<Guid, long> Watched,
    IReadOnlySet<Guid>? Replaces = null)
{
    public static PlatformPlan Combine(IEnumerable<PlatformPlan> plans)
    {
        var list = plans.ToList();
        return new(list.SelectMany(p => p.Calls).ToList(), list.SelectMany(p => p.Watched).ToDictionary(kv => kv.Key, kv => kv.Value));
    }
}

/// <summary>
/// The automation's platform-operation lease (ADR 0017) that one transition holds from its first transaction until its second
/// commits or its calls are undone: while it is held, no other transition of the automation's versions calls the platform.
/// </summary>
public sealed record PlatformLease(Guid AutomationId, Guid OperationId);

/// <summary>
/// The platform calls made in this unit of work (scoped). The effects of T8–T10 and T13 record their outcome in the
/// binding only when the call is here: a path that reached the kernel without making the call is refused (fails closed).
/// </summary>
public sealed class PlatformCallRecord : IHandler
{
    private readonly HashSet<(string WorkflowId, PlatformAction Action)> _made = [];

    internal void Add(PlatformCall call) => _made.Add((call.WorkflowId, call.Action));

    public bool Made(string workflowId, PlatformAction action) => _made.Contains((workflowId, action));

    /// <summary>Sets the binding's status to what the call made it; the refusal when the call was not made.</summary>
    internal string? Record(WorkflowBinding binding, PlatformAction action, DateTimeOffset now)
    {
        if (!Made(binding.WrkWorkflowId, action))
        {
            var verb = action == PlatformAction.Activate ? "activated" : "deactivated";
            return $"The version's WRK workflow must be {verb} on the WRK Platform first, between two transactions; " +
                   "this request did not make that call.";
        }
        binding.Status = action == PlatformAction.Activate ? PlatformTransitions.BindingActive : PlatformTransitions.BindingInactive;
        binding.LastError = null;
        binding.UpdatedAt = now;
        return null;
    }
}

/// <summary>
/// The transitions that need the WRK Platform (T8–T10, and T13 of a version whose workflow is active), as flows.md says:
/// (1) a short transaction reads and checks everything, writing only the lease below, (2) the platform is called outside
/// any transaction (idempotent calls; down or timed out → 503 <c>platform_unavailable</c> with Retry-After, refused → 409
/// <c>platform_rejected</c>, and nothing changes), (3) a second transaction re-checks every row version it will change
/// (changed → 409 <c>concurrency_conflict</c>; a retry converges) and applies the transition through the kernel, whose
/// effects record the calls' outcome. Flows 24, 24A, 24B, 35 and Flow 13's generic endpoints all come through here.
/// The first transaction claims the automation's platform-operation lease (ADR 0017), so the platform calls and the commit or
/// undo of transitions of one automation never interleave: a second one is refused at once (409 <c>concurrency_conflict</c>).
/// </summary>
public sealed class PlatformTransitions(AppDbContext db, LifecycleTransitionHandler lifecycle, PlatformCallRecord record,
    IServiceProvider services, IOptions<LifecycleOptions> options, ILogger<PlatformTransitions> logger) : IHandler
{
    public const string BindingActive = "active";
    public const string BindingInactive = "inactive";

    /// <summary>Used when the platform does not say when to retry.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    private static readonly string[] Replaceable = [VersionStatuses.Live, VersionStatuses.Paused];

    /// <summary>
    /// Moves a version through the lifecycle, calling the platform between two transactions when the transition needs it
    /// (else in one transaction). <paramref name="find"/> runs in the first transaction and returns the tracked version
    /// (or the 404). <paramref name="onlyRow"/> restricts a dedicated endpoint to its own row (e.g. Flow 24 to T8).
    /// Must be called outside any transaction (the endpoint is not transactional).
    /// </summary>
    public async Task<ErrorOr<AutomationVersion>> TransitionAsync(Func<Task<ErrorOr<AutomationVersion>>> find,
        TransitionRequest request, string? onlyRow, CancellationToken ct)
    {
        var first = await UnitOfWork.RunAsync<Prepared>(db, async () =>
        {
            var found = await find();
            if (found.IsError)
            {
                return found.Errors;
            }
            var version = found.Value;
            if (onlyRow is not null && TransitionTable.Find(version.Status, version.StatusBeforeBlocked, request.TargetStatus) is { } other &&
                other.Id != onlyRow)
            {
                var own = TransitionTable.Rows.Single(r => r.Id == onlyRow);
                return AppErrors.Conflict(LifecycleKernel.InvalidTransition,
                    $"This endpoint makes {own.Id} ({own.From.Label} to {own.To}); the version is '{version.Status}'.",
                    new Dictionary<string, object>
                    {
                        ["current_status"] = version.Status,
                        ["allowed_targets"] = TransitionTable.TargetsFrom(version.Status, version.StatusBeforeBlocked),
                    });
            }
            var decided = await lifecycle.CheckAsync(version, request, ct);
            if (decided.IsError)
            {
                return decided.Errors;
            }
            if (await PlanAsync(version, decided.Value, ct) is { } needed)
            {
                var lease = await ClaimAsync(version.AutomationId, needed, ct);
                return lease.IsError ? lease.Errors : new Prepared(version, needed, lease.Value);
            }
            var applied = await lifecycle.ApplyAsync(version, request, ct);
            return applied.IsError ? applied.Errors : new Prepared(version, null, null);
        }, ct);
        if (first.IsError)
        {
            return first.Errors;
        }
        if (first.Value.Plan is not { } plan)
        {
            return first.Value.Version;
        }
        var versionId = first.Value.Version.Id;

        return await CallThenCommitOrUndoAsync<AutomationVersion>(plan, first.Value.Lease!, async after =>
        {
            var unchanged = await VerifyUnchangedAsync(plan, after);
            if (unchanged.IsError)
            {
                return unchanged.Errors;
            }
            var version = await db.AutomationVersions.FirstAsync(v => v.Id == versionId, after);
            if (plan.Replaces is { } planned &&
                !(await ReplacedByAsync(version, after)).Select(v => v.Id).ToHashSet().SetEquals(planned))
            {
                return AppErrors.ConcurrencyConflict();
            }
            // If-Match was checked in the first transaction; the row version is re-checked above instead.
            var applied = await lifecycle.ApplyAsync(version, request with { ExpectedRowVersions = null }, after);
            return applied.IsError ? applied.Errors : version;
        }, ct);
    }

    /// <summary>
    /// Step 1's last act: claims the automation's platform-operation lease for <paramref name="plan"/> (ADR 0017), refused with
    /// 409 <c>concurrency_conflict</c> while another transition holds it. A lease whose holder crashed expires after
    /// <see cref="LifecycleOptions.PlatformOperationLease"/> per planned call. Rolled back with the first transaction.
    /// </summary>
    public async Task<ErrorOr<PlatformLease>> ClaimAsync(Guid automationId, PlatformPlan plan, CancellationToken ct)
    {
        var lease = new PlatformLease(automationId, Guid.CreateVersion7());
        var holdFor = options.Value.PlatformOperationLease * Math.Max(1, plan.Calls.Count);
        var claimed = await db.Database.ExecuteSqlAsync(
            $"UPDATE automations SET platform_op_id = {lease.OperationId}, platform_op_until = clock_timestamp() + {holdFor} WHERE id = {automationId} AND (platform_op_until IS NULL OR platform_op_until < clock_timestamp())",
            ct);
        return claimed == 1 ? lease : AppErrors.ConcurrencyConflict();
    }

    /// <summary>
    /// Steps 2 and 3 under <paramref name="lease"/>: makes the calls, then runs <paramref name="work"/> in the second
    /// transaction, which first releases the lease (and so locks the automation), refusing with 409 <c>concurrency_conflict</c>
    /// if it is no longer this transition's. Once the platform has changed, a client that went away must not stop this halfway
    /// (the token <paramref name="work"/> gets is never cancelled), and when the second transaction fails in any way (409, an
    /// effect's refusal, an exception) the calls are undone so the platform again matches the database; only then is the lease
    /// released, so no other transition calls the platform before the undo is over.
    /// </summary>
    public async Task<ErrorOr<T>> CallThenCommitOrUndoAsync<T>(PlatformPlan plan, PlatformLease lease,
        Func<CancellationToken, Task<ErrorOr<T>>> work, CancellationToken ct)
    {
        var released = false;
        try
        {
            var called = await CallAsync(plan, ct);
            if (called.IsError)
            {
                return called.Errors;
            }
            ErrorOr<T> result;
            try
            {
                result = await UnitOfWork.RunAsync(db, async () =>
                    await ReleaseAsync(lease, CancellationToken.None) ? await work(CancellationToken.None) : AppErrors.ConcurrencyConflict(),
                    CancellationToken.None);
            }
            catch
            {
                await UndoAsync(plan.Calls);
                throw;
            }
            if (result.IsError)
            {
                await UndoAsync(plan.Calls);
                return result;
            }
            released = true;
            return result;
        }
        finally
        {
            if (!released)
            {
                await ReleaseAfterFailureAsync(lease);
            }
        }
    }

    /// <summary>Clears <paramref name="lease"/> if this transition still holds it; false when it does not.</summary>
    private async Task<bool> ReleaseAsync(PlatformLease lease, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync(
            $"UPDATE automations SET platform_op_id = NULL, platform_op_until = NULL WHERE id = {lease.AutomationId} AND platform_op_id = {lease.OperationId}",
            ct) == 1;

    /// <summary>The lease of a transition that failed, in its own transaction; if even that fails, the lease expires.</summary>
    private async Task ReleaseAfterFailureAsync(PlatformLease lease)
    {
        try
        {
            db.ChangeTracker.Clear();
            await UnitOfWork.RunAsync<Success>(db, async () =>
            {
                await ReleaseAsync(lease, CancellationToken.None);
                return Result.Success;
            }, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not release the platform-operation lease of automation {AutomationId}; it expires on its own.",
                lease.AutomationId);
        }
    }

    /// <summary>Step 1 of T8: launches of one automation take turns, so two cannot both make a version live.</summary>
    public async Task LockAutomationAsync(Guid automationId, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM automations WHERE id = {automationId} FOR UPDATE", ct);

    private sealed record Prepared(AutomationVersion Version, PlatformPlan? Plan, PlatformLease? Lease);

    /// <summary>
    /// The platform calls <paramref name="decision"/> needs for <paramref name="version"/>, or null when it needs none
    /// (every transition but T8–T10, and T13 of a version whose binding is not active). Reads only.
    /// </summary>
    public async Task<PlatformPlan?> PlanAsync(AutomationVersion version, Decision decision, CancellationToken ct)
    {
        var binding = await BindingOfAsync(version.Id, ct);
        var watched = new Dictionary<Guid, long> { [version.Id] = version.RowVersion };
        var calls = new List<PlatformCall>();
        switch (decision.Transition.Id)
        {
            case "T8":
                await LockAutomationAsync(version.AutomationId, ct);
                // Activate first: if the platform is down, the old versions keep running and nothing has changed.
                if (binding is not null)
                {
                    calls.Add(new(binding.WrkWorkflowId, PlatformAction.Activate, binding.Status != BindingActive));
                }
                var replaced = await ReplacedByAsync(version, ct);
                foreach (var other in replaced)
                {
                    watched[other.Id] = other.RowVersion;
                    if (await BindingOfAsync(other.Id, ct) is { } otherBinding)
                    {
                        calls.Add(new(otherBinding.WrkWorkflowId, PlatformAction.Deactivate, otherBinding.Status != BindingInactive));
                    }
                }
                return new PlatformPlan(calls, watched, replaced.Select(v => v.Id).ToHashSet());
            case "T9":
                if (binding is not null)
                {
                    calls.Add(new(binding.WrkWorkflowId, PlatformAction.Deactivate, binding.Status == BindingActive));
                }
                break;
            case "T10":
                if (binding is not null)
                {
                    calls.Add(new(binding.WrkWorkflowId, PlatformAction.Activate, binding.Status != BindingActive));
                }
                break;
            // Deactivating is idempotent: any binding not known to be inactive is turned off, whatever the database last saw.
            case "T13" when binding is not null && binding.Status != BindingInactive:
                calls.Add(new(binding.WrkWorkflowId, PlatformAction.Deactivate, true));
                break;
            default:
                return null;
        }
        return new PlatformPlan(calls, watched);
    }

    /// <summary>
    /// Step 2, outside any transaction: makes the calls in order and records each success for the effects. On the first
    /// failure, the calls already made that changed something are undone (best effort), so the platform again matches the
    /// database, which has not changed.
    /// </summary>
    public async Task<ErrorOr<Success>> CallAsync(PlatformPlan plan, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("The WRK Platform is never called inside a database transaction.");
        }
        if (plan.Calls.Count == 0)
        {
            return Result.Success;
        }
        var platform = services.GetService<IWrkPlatformClient>();
        if (platform is null)
        {
            return AppErrors.Conflict(LifecycleKernel.TransitionUnavailable,
                "This transition needs the WRK Platform, and no WRK Platform client is configured.");
        }
        var done = new List<PlatformCall>();
        foreach (var call in plan.Calls)
        {
            // Once the platform may have changed, a client that went away must not skip the rest, the undo or the commit.
            if (call.ChangesState)
            {
                ct = CancellationToken.None;
            }
            var result = await InvokeAsync(platform, call.WorkflowId, call.Action, ct);
            if (result.IsOk)
            {
                done.Add(call);
                record.Add(call);
                continue;
            }
            await UndoAsync(done);
            return result.Outcome == PlatformOutcome.Rejected
                ? AppErrors.PlatformRejected(
                    $"The WRK Platform refused to {Verb(call.Action)} workflow {call.WorkflowId}: {result.Error ?? "no reason given"}",
                    new Dictionary<string, object>
                    {
                        ["workflow_id"] = call.WorkflowId,
                        ["platform_status"] = result.StatusCode ?? 0,
                        ["platform_code"] = result.ErrorCode ?? "",
                    })
                : AppErrors.PlatformUnavailable(
                    $"The WRK Platform is unavailable ({result.Error ?? "no answer"}); nothing was changed. Retry later.",
                    result.RetryAfter ?? DefaultRetryAfter);
        }
        return Result.Success;
    }

    /// <summary>
    /// Undoes the calls that changed the platform (latest first), so it again matches the database. What the database says now
    /// decides: a workflow whose binding another request has since recorded in the state the call left it in is left alone
    /// (undoing would break that request's outcome). An undo that fails is logged: the platform and the database now differ.
    /// </summary>
    public async Task UndoAsync(IEnumerable<PlatformCall> made)
    {
        var toUndo = made.Where(c => c.ChangesState).Reverse().ToList();
        if (toUndo.Count == 0)
        {
            return;
        }
        var platform = services.GetRequiredService<IWrkPlatformClient>();
        Dictionary<string, string>? recorded = null;
        try
        {
            var ids = toUndo.Select(c => c.WorkflowId).Distinct().ToList();
            var read = await UnitOfWork.RunAsync<Dictionary<string, string>>(db, async () =>
                await db.WorkflowBindings.AsNoTracking().Where(b => ids.Contains(b.WrkWorkflowId))
                    .ToDictionaryAsync(b => b.WrkWorkflowId, b => b.Status, CancellationToken.None), CancellationToken.None);
            recorded = read.IsError ? null : read.Value;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not read the workflow bindings before undoing WRK Platform calls; undoing them all.");
        }
        foreach (var call in toUndo)
        {
            var settled = recorded is not null && recorded.TryGetValue(call.WorkflowId, out var status) &&
                          (status == BindingActive) == (call.Action == PlatformAction.Activate);
            if (settled)
            {
                continue;
            }
            var undo = call.Action == PlatformAction.Activate ? PlatformAction.Deactivate : PlatformAction.Activate;
            PlatformResult<PlatformWorkflow>? result = null;
            Exception? error = null;
            try
            {
                result = await InvokeAsync(platform, call.WorkflowId, undo, CancellationToken.None);
            }
            catch (Exception ex)
            {
                error = ex;
            }
            if (result is not { IsOk: true })
            {
                logger.LogError(error, "Undo failed: could not {Action} WRK workflow {WorkflowId} ({Error}); the platform no longer matches the database.",
                    Verb(undo), call.WorkflowId, result?.Error ?? error?.Message ?? "no answer");
            }
        }
    }

    /// <summary>Step 3, in the second transaction: every version the plan watched still has the row version it was read with.</summary>
    public async Task<ErrorOr<Success>> VerifyUnchangedAsync(PlatformPlan plan, CancellationToken ct)
    {
        // The tracked rows are the first transaction's; the second one reads what is current.
        db.ChangeTracker.Clear();
        var ids = plan.Watched.Keys.ToList();
        var current = await db.AutomationVersions.AsNoTracking().Where(v => ids.Contains(v.Id))
            .Select(v => new { v.Id, v.RowVersion }).ToDictionaryAsync(v => v.Id, v => v.RowVersion, ct);
        return plan.Watched.All(kv => current.TryGetValue(kv.Key, out var now) && now == kv.Value)
            ? Result.Success
            : AppErrors.ConcurrencyConflict();
    }

    /// <summary>
    /// The versions T8 archives: every other version of the automation that is live or paused, or blocked from one of them.
    /// </summary>
    public async Task<List<AutomationVersion>> ReplacedByAsync(AutomationVersion version, CancellationToken ct) =>
        await db.AutomationVersions
            .Where(v => v.AutomationId == version.AutomationId && v.Id != version.Id &&
                        (Replaceable.Contains(v.Status) ||
                         (v.Status == VersionStatuses.Blocked && v.StatusBeforeBlocked != null && Replaceable.Contains(v.StatusBeforeBlocked))))
            .OrderBy(v => v.Major).ThenBy(v => v.Minor)
            .ToListAsync(ct);

    private Task<WorkflowBinding?> BindingOfAsync(Guid versionId, CancellationToken ct) =>
        db.WorkflowBindings.AsNoTracking().FirstOrDefaultAsync(b => b.AutomationVersionId == versionId, ct);

    private static Task<PlatformResult<PlatformWorkflow>> InvokeAsync(IWrkPlatformClient platform, string workflowId, PlatformAction action,
        CancellationToken ct) =>
        action == PlatformAction.Activate ? platform.ActivateAsync(workflowId, ct) : platform.DeactivateAsync(workflowId, ct);

    private static string Verb(PlatformAction action) => action == PlatformAction.Activate ? "activate" : "deactivate";
}
