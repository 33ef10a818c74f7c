using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// <c>notify_client_admins</c>, named by T2 (a quote to review) and T6 (ready to launch): one effect for both, because effects are
/// found by hook id and a second implementation would notify twice. The client admins of the version's tenant receive it.
/// </summary>
internal sealed class NotifyClientAdminsEffect(AppDbContext db, OutboxWriter outbox) : ITransitionEffect
{
    public string Id => "notify_client_admins";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var name = await db.Projects.AsNoTracking().Where(p => p.AutomationVersionId == version.Id).Select(p => p.Name)
            .FirstOrDefaultAsync(ct) ?? version.Version;
        if (context.Decision.To == VersionStatuses.AwaitingClientApproval)
        {
            // The quote was sent earlier in this unit of work (tracked, not saved yet).
            var quote = db.Quotes.Local.FirstOrDefault(q => q.AutomationVersionId == version.Id && q.Status == QuoteStatuses.Sent);
            outbox.Notify("quote.sent", new
            {
                automation_version_id = version.Id,
                quote_id = quote?.Id,
                expires_at = quote?.ExpiresAt,
            }, NotificationAudience.TenantAdmins(), $"Quote ready for {name}",
                quote?.ExpiresAt is { } expires ? $"Review and sign it before {expires:yyyy-MM-dd}." : "Review and sign it.");
            return null;
        }
        outbox.Notify($"automation_version.{context.Decision.To}", new { automation_version_id = version.Id, status = context.Decision.To },
            NotificationAudience.TenantAdmins(), $"{name} is {context.Decision.To.Replace('_', ' ')}");
        return null;
    }
}
