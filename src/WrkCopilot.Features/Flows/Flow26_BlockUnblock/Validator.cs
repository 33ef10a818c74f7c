using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow26_BlockUnblock;

internal sealed class BlockVersionValidator : Validator<BlockVersionRequest>
{
    public BlockVersionValidator()
    {
        RuleFor(x => x.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("A reason is required to block a version.")
            .MaximumLength(BlockKinds.MaxReasonLength);
        RuleFor(x => x.Kind).Must(k => k is null or BlockKinds.General or BlockKinds.Credentials)
            .WithMessage("Must be general or credentials.");
    }
}

internal sealed class UnblockVersionValidator : Validator<UnblockVersionRequest>
{
    public UnblockVersionValidator() => RuleFor(x => x.Reason).MaximumLength(BlockKinds.MaxReasonLength);
}
