using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow35_Archive;

internal sealed class ArchiveVersionValidator : Validator<ArchiveVersionRequest>
{
    public ArchiveVersionValidator() => RuleFor(x => x.Reason).MaximumLength(2000);
}

internal sealed class ArchiveAutomationValidator : Validator<ArchiveAutomationRequest>
{
    public ArchiveAutomationValidator() => RuleFor(x => x.Reason).MaximumLength(2000);
}
