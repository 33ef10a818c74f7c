using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>The statuses a transition may start from: a list, or every status but some (shown by its label).</summary>
public sealed record StatusSet(IReadOnlyList<string> Statuses, string Label)
{
    public static StatusSet Of(string status) => new([status], status);

    public static StatusSet AnyBut(params string[] excluded) =>
        new(VersionStatuses.All.Where(s => !excluded.Contains(s)).ToList(), $"any status but {string.Join(" or ", excluded)}");

    public bool Contains(string status) => Statuses.Contains(status);
}

/// <summary>
/// A named hook point of a transition: a guard or a side effect. <see cref="Owner"/> says which code registers
/// its implementation (an <see cref="ITransitionGuard"/> or <see cref="ITransitionEffect"/> with this id).
/// The kernel fails closed: a transition whose <see cref="Required"/> effect has no implementation yet is
/// refused (409 <c>transition_unavailable</c>) instead of committing the status without the effect, so the
/// transition becomes available only when the owning flow registers it. <see cref="When"/> limits an effect
/// to some decisions of its row (null: every decision). Guards are always required.
/// </summary>
public sealed record Hook(string Id, string Owner, bool Required = true, Func<Decision, bool>? When = null)
{
    public bool AppliesTo(Decision decision) => When is null || When(decision);
}

/// <summary>One row of the lifecycle table in flows.md.</summary>
public sealed record TransitionRow(
    string Id,
    StatusSet From,
    string To,
    string Flow,
    IReadOnlyList<string> Actors,
    bool ViaVersionStatusEndpoint,
    bool ViaAdminProjectStatusEndpoint,
    bool ReasonRequired,
    IReadOnlyList<Hook> Guards,
    IReadOnlyList<Hook> Effects)
{
    /// <summary>T12's target is not fixed: the version returns to its <c>status_before_blocked</c>.</summary>
    public bool ReturnsToStatusBeforeBlocked => To == TransitionTable.StatusBeforeBlocked;

    public bool ReachableFrom(TransitionEntry entry) => entry switch
    {
        TransitionEntry.VersionStatusEndpoint => ViaVersionStatusEndpoint,
        TransitionEntry.AdminProjectStatusEndpoint => ViaAdminProjectStatusEndpoint,
        _ => true,
    };
}

/// <summary>Where a transition request comes from: a dedicated flow (endpoint or worker) or one of Flow 13's generic endpoints.</summary>
public enum TransitionEntry
{
    Direct,
    VersionStatusEndpoint,
    AdminProjectStatusEndpoint,
}

/// <summary>
/// The version lifecycle (flows.md, "The version lifecycle"), as data. The kernel decides from it, the
/// README diagram is rendered from it, and guards/effects are looked up by the hook ids it names.
/// The generic endpoints reach every transition a person may make (ADR 7). T8–T10 (and T13 of a version whose
/// workflow is active) need the WRK Platform between two transactions: <see cref="PlatformTransitions"/> makes the
/// call, and their effects only record its outcome (they refuse when it was not made).
/// </summary>
public static class TransitionTable
{
    /// <summary>The pseudo-target of T12.</summary>
    public const string StatusBeforeBlocked = "status_before_blocked";

    /// <summary>Workers and schedulers (never a person).</summary>
    public const string SystemActor = "system";

    public static class GuardIds
    {
        public const string BlueprintHasStep = "blueprint_has_step";
        public const string DraftQuotePriced = "draft_quote_priced";
        public const string QuoteSent = "quote_sent";
        public const string BindingExists = "binding_exists";
        public const string BuildChecklistClosed = "build_checklist_closed";
        public const string QuoteSigned = "quote_signed";
    }

    public static class EffectIds
    {
        public const string CancelOpenTasks = "cancel_open_tasks";
        public const string BlockTask = "block_task";
        public const string DeactivateWorkflow = "deactivate_workflow";
        public const string ActivateWorkflow = "activate_workflow";
        public const string PauseWorkflow = "pause_workflow";
        public const string ArchivePreviousLiveVersions = "archive_previous_live_versions";
        public const string RequestBuild = "request_build";
    }

    private const string Kernel = "Kernel/Lifecycle";

    // Notifications are not state: a transition committed without one corrupts nothing, so they are optional
    // and run once the notification worker (a later issue) registers them. Every other effect is required.
    private static Hook Notify(string id, string owner) => new(id, owner, Required: false);
    private static readonly string[] ClientAdminOrMember = [AppRoles.ClientAdmin, AppRoles.ClientMember];
    private static readonly string[] OpsOrOperatorAdmin = [AppRoles.OpsAdmin, AppRoles.OperatorAdmin];
    private static readonly string[] ClientAdminOrStaff = [AppRoles.ClientAdmin, AppRoles.OpsAdmin, AppRoles.OperatorAdmin];
    private static readonly StatusSet Blockable = StatusSet.AnyBut(VersionStatuses.Archived, VersionStatuses.Blocked);

    public static readonly IReadOnlyList<TransitionRow> Rows =
    [
        new("T1", StatusSet.Of(VersionStatuses.IntakeInProgress), VersionStatuses.NeedsPricing, "11",
            ClientAdminOrMember, true, false, false,
            [new(GuardIds.BlueprintHasStep, Kernel)],
            [new("create_draft_quote", "Flow 11"), new("pricing_status_draft", "Flow 11"), new("pricing_task", "Flow 11"), Notify("notify_staff", "Flow 11")]),
        new("T2", StatusSet.Of(VersionStatuses.NeedsPricing), VersionStatuses.AwaitingClientApproval, "14",
            OpsOrOperatorAdmin, true, true, false,
            [new(GuardIds.DraftQuotePriced, Kernel)],
            [new("quote_sent", "Flow 14"), Notify("notify_client_admins", "Flow 14")]),
        new("T3", StatusSet.Of(VersionStatuses.AwaitingClientApproval), VersionStatuses.BuildInProgress, "15",
            [AppRoles.ClientAdmin], true, false, false,
            [new(GuardIds.QuoteSent, Kernel)],
            [new("quote_signed", "Flow 15"), new(EffectIds.RequestBuild, "Flow 21")]),
        new("T4", StatusSet.Of(VersionStatuses.AwaitingClientApproval), VersionStatuses.NeedsPricing, "16",
            [AppRoles.ClientAdmin], true, false, true,
            [new(GuardIds.QuoteSent, Kernel)],
            [new("quote_rejected", "Flow 16"), new("create_draft_quote", "Flow 16"), new("pricing_task", "Flow 16")]),
        new("T5", StatusSet.Of(VersionStatuses.BuildInProgress), VersionStatuses.QaTesting, "22",
            [SystemActor], false, false, false,
            [new(GuardIds.BindingExists, Kernel)],
            [new("build_checklist_tasks", "Flow 31"), Notify("notify_qa", "Flow 22")]),
        new("T6", StatusSet.Of(VersionStatuses.QaTesting), VersionStatuses.ReadyToLaunch, "23",
            OpsOrOperatorAdmin, true, true, false,
            [new(GuardIds.BuildChecklistClosed, Kernel)],
            [Notify("notify_client_admins", "Flow 23")]),
        new("T7", StatusSet.Of(VersionStatuses.QaTesting), VersionStatuses.BuildInProgress, "23",
            OpsOrOperatorAdmin, true, true, true,
            [],
            [new(EffectIds.RequestBuild, "Flow 21")]),
        new("T8", StatusSet.Of(VersionStatuses.ReadyToLaunch), VersionStatuses.Live, "24",
            ClientAdminOrStaff, true, true, false,
            [new(GuardIds.QuoteSigned, Kernel), new(GuardIds.BindingExists, Kernel)],
            [new(EffectIds.ActivateWorkflow, "Flow 24"), new(EffectIds.ArchivePreviousLiveVersions, "Flow 24")]),
        // Pausing (binding → inactive between two platform transactions) is Flow 24A's own effect, distinct from
        // T13's deactivate_workflow, so registering one never makes the other transition available.
        new("T9", StatusSet.Of(VersionStatuses.Live), VersionStatuses.Paused, "24A",
            ClientAdminOrStaff, true, true, false,
            [],
            [new(EffectIds.PauseWorkflow, "Flow 24A")]),
        new("T10", StatusSet.Of(VersionStatuses.Paused), VersionStatuses.Live, "24B",
            ClientAdminOrStaff, true, true, false,
            [new(GuardIds.BindingExists, Kernel)],
            [new(EffectIds.ActivateWorkflow, "Flow 24B")]),
        new("T11", Blockable, VersionStatuses.Blocked, "26",
            [AppRoles.OpsAdmin, AppRoles.OperatorAdmin, SystemActor], true, true, true,
            [],
            [new(EffectIds.BlockTask, Kernel), Notify("notify_blocked", "Flow 26")]),
        new("T12", StatusSet.Of(VersionStatuses.Blocked), StatusBeforeBlocked, "26",
            OpsOrOperatorAdmin, true, true, false,
            [],
            [new(EffectIds.RequestBuild, "Flow 21", When: d => d.To == VersionStatuses.BuildInProgress), Notify("notify_unblocked", "Flow 26")]),
        new("T13", StatusSet.AnyBut(VersionStatuses.Archived), VersionStatuses.Archived, "35",
            [AppRoles.ClientAdmin, AppRoles.OperatorAdmin], true, true, false,
            [],
            [new(EffectIds.CancelOpenTasks, Kernel), new(EffectIds.DeactivateWorkflow, "Flow 35")]),
    ];

    /// <summary>The row for a move from <paramref name="current"/> to <paramref name="target"/>, if the table has one.</summary>
    public static TransitionRow? Find(string current, string? statusBeforeBlocked, string target) =>
        Rows.FirstOrDefault(r => r.From.Contains(current) && TargetOf(r, statusBeforeBlocked) == target);

    /// <summary>Every status reachable from <paramref name="current"/> by some row reachable from <paramref name="entry"/> (whoever the actor).</summary>
    public static IReadOnlyList<string> TargetsFrom(string current, string? statusBeforeBlocked,
        TransitionEntry entry = TransitionEntry.Direct) =>
        Rows.Where(r => r.From.Contains(current) && r.ReachableFrom(entry))
            .Select(r => TargetOf(r, statusBeforeBlocked))
            .OfType<string>()
            .Distinct()
            .ToList();

    // A stored status_before_blocked that T11 could never have written leaves T12 with no target.
    private static string? TargetOf(TransitionRow row, string? statusBeforeBlocked) => !row.ReturnsToStatusBeforeBlocked
        ? row.To
        : statusBeforeBlocked is { } previous && Blockable.Contains(previous) ? previous : null;
}
