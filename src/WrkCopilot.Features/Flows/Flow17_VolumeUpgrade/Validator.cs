using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

internal sealed class VolumeUpgradeValidator : Validator<VolumeUpgradeRequest>
{
    public const int MaxCommittedVolume = 1_000_000_000;

    public VolumeUpgradeValidator() =>
        RuleFor(x => x.CommittedVolume).NotNull().WithMessage("A committed monthly volume is required.")
            .InclusiveBetween(1, MaxCommittedVolume);
}
