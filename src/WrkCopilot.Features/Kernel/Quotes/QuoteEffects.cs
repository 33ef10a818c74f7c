using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Kernel.Quotes;

/// <summary>T1 (Flow 11) and T4 (Flow 16): the version gets a new draft quote priced from the rate card.</summary>
internal sealed class CreateDraftQuoteEffect(QuoteDrafting drafting) : ITransitionEffect
{
    public const string EffectId = "create_draft_quote";

    public string Id => EffectId;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        await drafting.CreateDraftAsync(context.Version, ct);
        return null;
    }
}

/// <summary>
/// T1 and T4: ops get a <c>pricing</c> task on the project (staff only: a client never sees it). After a rejection the task says
/// why the client declined, so the next draft answers it.
/// </summary>
internal sealed class PricingTaskEffect(AppDbContext db, TaskWriter tasks) : ITransitionEffect
{
    public const string EffectId = "pricing_task";

    public string Id => EffectId;

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var project = await db.Projects.AsNoTracking().Where(p => p.AutomationVersionId == version.Id)
            .Select(p => new { p.Id, p.Name }).FirstOrDefaultAsync(ct);
        var rejected = context.Decision.To == VersionStatuses.NeedsPricing && context.Decision.From == VersionStatuses.AwaitingClientApproval;
        var name = project?.Name ?? version.Version;
        tasks.Create(new NewTask(
            project is null ? TaskContextTypes.AutomationVersion : TaskContextTypes.Project,
            project?.Id ?? version.Id,
            TaskKinds.Pricing,
            rejected ? $"Re-price {name}: the client rejected the quote" : $"Price {name}",
            Visibility.Staff,
            Priority: rejected ? "high" : "medium",
            Description: rejected
                ? $"The client rejected the quote: {context.Decision.Reason}. A new draft priced from the rate card is ready to adjust and send."
                : "The client submitted the blueprint for pricing. A draft priced from the rate card is ready to adjust and send.",
            CreatedById: context.Actor.UserId));
        return null;
    }
}
