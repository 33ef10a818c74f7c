using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// T11 (<c>notify_blocked</c>): the client's admins and WRK's staff learn that the version stopped, and why. The reason is
/// the version's <c>blocked_reason</c>, which clients already read on the version, so it is no staff-only detail. Also runs
/// when a worker blocks (system actor); a staff actor is left out of the staff audience (they know already).
/// </summary>
internal sealed class NotifyBlockedEffect(AppDbContext db, OutboxWriter outbox) : ITransitionEffect
{
    public string Id => "notify_blocked";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var name = await BlockNotifications.NameAsync(db, version, ct);
        var data = new
        {
            automation_version_id = version.Id,
            status = context.Decision.To,
            status_before_blocked = context.Decision.From,
            reason = context.Decision.Reason,
            kind = context.BlockKind == BlockTaskEffect.CredentialsBlock ? "credentials" : "general",
        };
        var title = $"{name} ({version.Version}) is blocked";
        outbox.Notify("automation_version.blocked", data, NotificationAudience.TenantAdmins(), title, context.Decision.Reason);
        outbox.Notify("automation_version.blocked", data, NotificationAudience.Staff(context.Actor.UserId), title, context.Decision.Reason);
        return null;
    }
}

/// <summary>T12 (<c>notify_unblocked</c>): the client's admins and WRK's staff learn that the version is moving again, and where to.</summary>
internal sealed class NotifyUnblockedEffect(AppDbContext db, OutboxWriter outbox) : ITransitionEffect
{
    public string Id => "notify_unblocked";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var name = await BlockNotifications.NameAsync(db, version, ct);
        var data = new { automation_version_id = version.Id, status = context.Decision.To };
        var title = $"{name} ({version.Version}) is unblocked";
        var body = $"Back to {context.Decision.To.Replace('_', ' ')}.";
        outbox.Notify("automation_version.unblocked", data, NotificationAudience.TenantAdmins(), title, body);
        outbox.Notify("automation_version.unblocked", data, NotificationAudience.Staff(context.Actor.UserId), title, body);
        return null;
    }
}

internal static class BlockNotifications
{
    public static async Task<string> NameAsync(AppDbContext db, AutomationVersion version, CancellationToken ct) =>
        await db.Projects.AsNoTracking().Where(p => p.AutomationVersionId == version.Id).Select(p => p.Name).FirstOrDefaultAsync(ct)
        ?? version.Version;
}
