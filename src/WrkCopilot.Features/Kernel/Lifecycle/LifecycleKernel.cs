using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// Who asks for a transition: a person's qualified roles (e.g. <c>operator:ops_admin</c>) and user id, or a worker
/// (no user; rows it creates have no author). <paramref name="Cause"/> is set on a transition that is the side effect of
/// another one (T8 archives the versions it replaces): the role check was that transition's, so it is not repeated.
/// </summary>
public sealed record LifecycleActor(IReadOnlyList<string> QualifiedRoles, bool IsSystem, Guid? UserId = null, string? Cause = null)
{
    public static readonly LifecycleActor System = new([], true);

    public static LifecycleActor Of(AuthenticatedSession session) =>
        session.IsApiKey ? new([], false) : new(session.QualifiedRoles, false, session.UserId);

    /// <summary>The same actor, making a transition required by the transition <paramref name="causeRowId"/> it was allowed to make.</summary>
    public LifecycleActor ConsequenceOf(string causeRowId) => this with { Cause = causeRowId };

    public bool MayMake(TransitionRow row) =>
        Cause is not null || (IsSystem && row.Actors.Contains(TransitionTable.SystemActor)) || QualifiedRoles.Any(row.Actors.Contains);
}

/// <summary>An allowed transition: which row, from where to where, and why (trimmed; null when none was given).</summary>
public sealed record Decision(TransitionRow Transition, string From, string To, string? Reason);

/// <summary>
/// The pure half of Flow 13: decides a transition from the table alone (no I/O), so the whole table is
/// tested without a database. <see cref="LifecycleTransitionHandler"/> applies what it decides.
/// </summary>
public static class LifecycleKernel
{
    public const string InvalidTransition = "invalid_transition";
    public const string GuardFailed = "transition_guard_failed";
    public const string TransitionUnavailable = "transition_unavailable";

    public static ErrorOr<Decision> Decide(string currentStatus, string? statusBeforeBlocked, string targetStatus,
        LifecycleActor actor, string? reason, TransitionEntry entry = TransitionEntry.Direct)
    {
        var row = TransitionTable.Find(currentStatus, statusBeforeBlocked, targetStatus);
        if (row is null || !row.ReachableFrom(entry))
        {
            var allowed = TransitionTable.TargetsFrom(currentStatus, statusBeforeBlocked, entry);
            var detail = row is null
                ? $"A version in '{currentStatus}' cannot move to '{targetStatus}'."
                : $"{row.Id} ('{currentStatus}' to '{targetStatus}') is made through Flow {row.Flow}'s own endpoint, not this one.";
            detail += allowed.Count == 0 ? " No transition is allowed from here." : $" Allowed targets: {string.Join(", ", allowed)}.";
            return AppErrors.Conflict(InvalidTransition, detail, new Dictionary<string, object>
            {
                ["current_status"] = currentStatus,
                ["allowed_targets"] = allowed,
            });
        }
        if (!actor.MayMake(row))
        {
            return AppErrors.Forbidden($"{row.Id} ('{currentStatus}' to '{targetStatus}') may be made only by: {string.Join(", ", row.Actors)}.");
        }
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (row.ReasonRequired && trimmed is null)
        {
            return GuardFailure(row, "reason_given", "A reason is required for this transition.");
        }
        return new Decision(row, currentStatus, targetStatus, trimmed);
    }

    /// <summary>The 409 of a transition whose required effects no code implements yet, naming them and their flows.</summary>
    public static Error Unavailable(TransitionRow row, IReadOnlyList<Hook> missing)
    {
        var names = string.Join(", ", missing.Select(h => $"{h.Id} ({h.Owner})"));
        var verb = missing.Count == 1 ? "which is" : "which are";
        return AppErrors.Conflict(TransitionUnavailable, $"{row.Id} needs {names}, {verb} not available yet.", new Dictionary<string, object>
        {
            ["transition"] = row.Id,
            ["missing_effects"] = missing.Select(h => h.Id).ToList(),
        });
    }

    /// <summary>The 409 of an effect that is implemented but cannot be applied to this version now.</summary>
    public static Error EffectUnavailable(TransitionRow row, string effectId, string reason) =>
        AppErrors.Conflict(TransitionUnavailable, reason, new Dictionary<string, object>
        {
            ["transition"] = row.Id,
            ["effect"] = effectId,
        });

    /// <summary>The 409 of a failed guard, naming the transition, the guard and the reason.</summary>
    public static Error GuardFailure(TransitionRow row, string guardId, string reason) =>
        AppErrors.Conflict(GuardFailed, reason, new Dictionary<string, object>
        {
            ["transition"] = row.Id,
            ["guard"] = guardId,
        });
}
