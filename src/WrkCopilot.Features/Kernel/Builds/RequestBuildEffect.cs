using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Kernel.Builds;

/// <summary>
/// T3, T7 and T12 back into a build (Flow 21): a <c>build_requested</c> job on the <c>build-requests</c> queue, written in the
/// transition's transaction so a committed transition always has its build request and a refused one never does. The build
/// worker that consumes it (issue 5) calls the WRK Platform outside any transaction.
/// </summary>
internal sealed class RequestBuildEffect(AppDbContext db, OutboxWriter outbox) : ITransitionEffect
{
    public const string JobType = "build_requested";

    public string Id => TransitionTable.EffectIds.RequestBuild;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var versionId = context.Version.Id;
        // T3 signs the quote earlier in this unit of work (not saved yet), so look at tracked rows before the database.
        var quoteId = db.Quotes.Local
                          .Where(q => q.AutomationVersionId == versionId && q.Status == QuoteStatuses.Signed && q.Kind == QuoteKinds.Initial)
                          .Select(q => (Guid?)q.Id).FirstOrDefault()
                      ?? await db.Quotes.Where(q => q.AutomationVersionId == versionId && q.Status == QuoteStatuses.Signed)
                          .OrderByDescending(q => q.SignedAt).Select(q => (Guid?)q.Id).FirstOrDefaultAsync(ct);
        var reason = context.Decision.Transition.Id switch
        {
            "T3" => "quote_signed",
            "T7" => "qa_failed",
            _ => "unblocked",
        };
        outbox.Enqueue(Queues.BuildRequests, JobType, new
        {
            automation_version_id = versionId,
            quote_id = quoteId,
            reason,
            notes = context.Decision.Reason,
        });
        return null;
    }
}
