using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow24_Launch;

internal sealed class LaunchValidator : Validator<LaunchRequest>
{
    public LaunchValidator() => RuleFor(x => x.Reason).MaximumLength(2000);
}
