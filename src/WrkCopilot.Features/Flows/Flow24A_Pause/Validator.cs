using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow24A_Pause;

internal sealed class PauseValidator : Validator<PauseRequest>
{
    public PauseValidator() => RuleFor(x => x.Reason).MaximumLength(2000);
}
