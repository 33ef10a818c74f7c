using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow24B_Resume;

internal sealed class ResumeValidator : Validator<ResumeRequest>
{
    public ResumeValidator() => RuleFor(x => x.Reason).MaximumLength(2000);
}
