using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

/// <summary>What a quote commits the client to each month: committed volume × effective unit price (0 without a commitment).</summary>
internal static class VolumeCommitment
{
    public static decimal Of(Quote quote) => Money.Amount((quote.CommittedVolume ?? 0) * quote.EffectiveUnitPrice);
}
