using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;

namespace WrkCopilot.Features.Kernel.Builds;

/// <summary>T5 (<c>notify_qa</c>): the build is on the WRK Platform, so staff can start QA on it.</summary>
internal sealed class NotifyQaEffect(AppDbContext db, OutboxWriter outbox) : ITransitionEffect
{
    public string Id => "notify_qa";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var name = await db.Projects.AsNoTracking().Where(p => p.AutomationVersionId == version.Id).Select(p => p.Name)
            .FirstOrDefaultAsync(ct) ?? version.Version;
        outbox.Notify("automation_version.qa_testing", new { automation_version_id = version.Id, status = context.Decision.To },
            NotificationAudience.Staff(), $"{name} {version.Version} is ready for QA",
            "The WRK workflow was built; work through the build checklist, then pass or fail QA.");
        return null;
    }
}
