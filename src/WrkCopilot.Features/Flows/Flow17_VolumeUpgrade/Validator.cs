using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

internal sealed class VolumeUpgradeValidator : Validator<VolumeUpgradeRequest>
{
    // With unit prices below 10,000, volume × price stays below the 1e12 an amount column holds.
    public const int MaxCommittedVolume = 10_000_000;

    public VolumeUpgradeValidator() =>
        RuleFor(x => x.CommittedVolume).NotNull().WithMessage("A committed monthly volume is required.")
            .InclusiveBetween(1, MaxCommittedVolume);
}
