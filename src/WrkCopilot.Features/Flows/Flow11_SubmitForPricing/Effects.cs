using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow11_SubmitForPricing;

/// <summary>T1: the project's pricing status mirrors its new draft quote.</summary>
internal sealed class PricingStatusDraftEffect(QuoteDrafting drafting) : ITransitionEffect
{
    public string Id => "pricing_status_draft";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        await drafting.SetPricingStatusAsync(context.Version.Id, PricingStatuses.Draft, ct);
        return null;
    }
}

/// <summary>T1: staff learn that a version waits for pricing (a staff-only event: the client is not told about ops' queue).</summary>
internal sealed class NotifyStaffOfSubmissionEffect(OutboxWriter outbox) : ITransitionEffect
{
    public string Id => "notify_staff";

    public Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        outbox.Notify("automation_version.submitted_for_pricing", new { automation_version_id = version.Id, version = version.Version },
            NotificationAudience.Staff(), $"Version {version.Version} submitted for pricing",
            "A draft quote priced from the rate card is waiting for review.");
        return Task.FromResult<string?>(null);
    }
}
