using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Hosting;


namespace WrkCopilot.Features.Kernel.Automations;

/// <summary>A version as lists show it (no blueprint: that is Flow 10's read).</summary>
public sealed record VersionSummary(
    Guid Id,
    Guid AutomationId,
    string Version,
    string Status,
    string? StatusBeforeBlocked,
    string? BlockedReason,
    int IntakeProgress,
    string? Notes,
    long RowVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static VersionSummary Of(AutomationVersion v) => new(v.Id, v.AutomationId, v.Version, v.Status, v.StatusBeforeBlocked,
        v.BlockedReason, v.IntakeProgress, v.Notes, v.RowVersion, v.CreatedAt, v.UpdatedAt);
}

/// <summary>
/// An automation with its derived status: that of its newest version that is not archived (flows.md, Flow 8), or
/// <c>archived</c> when every version is. <c>latest_version</c> is that version (or the newest one when all are archived).
/// </summary>
public sealed record AutomationView(
    Guid Id,
    string Name,
    string? Description,
    string? Department,
    Guid? OwnerId,
    string Status,
    VersionSummary? LatestVersion,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Reads shared by the flows that answer with automations (8, 12, 35).</summary>
public sealed class AutomationViews(AppDbContext db) : IHandler
{
    public async Task<IReadOnlyList<AutomationView>> OfAsync(IReadOnlyList<Automation> automations, CancellationToken ct)
    {
        var ids = automations.Select(a => a.Id).ToList();
        var versions = await db.AutomationVersions.AsNoTracking().Where(v => ids.Contains(v.AutomationId)).WithoutBlueprint().ToListAsync(ct);
        var byAutomation = versions.ToLookup(v => v.AutomationId);
        return automations.Select(a => Of(a, byAutomation[a.Id])).ToList();
    }

    public async Task<AutomationView> OfAsync(Automation automation, CancellationToken ct) => (await OfAsync([automation], ct))[0];

    public static AutomationView Of(Automation a, IEnumerable<AutomationVersion> versions)
    {
        var newestFirst = versions.OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor).ToList();
        var current = newestFirst.FirstOrDefault(v => v.Status != VersionStatuses.Archived);
        var latest = current ?? newestFirst.FirstOrDefault();
        return new AutomationView(a.Id, a.Name, a.Description, a.Department, a.OwnerId,
            current?.Status ?? VersionStatuses.Archived, latest is null ? null : VersionSummary.Of(latest),
            a.ArchivedAt, a.CreatedAt, a.UpdatedAt);
    }

    /// <summary>A project's name: the automation's name shortened so that the version label always fits the column.</summary>
    public static string ProjectName(string automationName, string versionLabel) =>
        $"{TextLimits.Shorten(automationName, MaxProjectName - versionLabel.Length - 1)} {versionLabel}";

    private const int MaxProjectName = 200;

    /// <summary>The pre-live statuses (flows.md, Flow 12): at most one version of an automation may be in one of them.</summary>
    public static readonly IReadOnlyList<string> PreLiveStatuses =
    [
        VersionStatuses.IntakeInProgress, VersionStatuses.NeedsPricing, VersionStatuses.AwaitingClientApproval,
        VersionStatuses.BuildInProgress, VersionStatuses.QaTesting, VersionStatuses.ReadyToLaunch,
    ];

    public static bool IsPreLive(AutomationVersion v) =>
        PreLiveStatuses.Contains(v.Status) ||
        (v.Status == VersionStatuses.Blocked && v.StatusBeforeBlocked is { } before && PreLiveStatuses.Contains(before));
}

public static class VersionQueries
{
    /// <summary>
    /// Versions without their blueprint (up to 1 MB each): what lists and statuses need. The rows are not tracked and their
    /// <c>blueprint_json</c> is empty; never write them back.
    /// </summary>
    public static IQueryable<AutomationVersion> WithoutBlueprint(this IQueryable<AutomationVersion> query) =>
        query.Select(v => new AutomationVersion
        {
            Id = v.Id, TenantId = v.TenantId, AutomationId = v.AutomationId, Version = v.Version, Major = v.Major, Minor = v.Minor,
            Status = v.Status, StatusBeforeBlocked = v.StatusBeforeBlocked, BlockedReason = v.BlockedReason,
            IntakeProgress = v.IntakeProgress, Notes = v.Notes, RowVersion = v.RowVersion, CreatedAt = v.CreatedAt, UpdatedAt = v.UpdatedAt,
        });
}
