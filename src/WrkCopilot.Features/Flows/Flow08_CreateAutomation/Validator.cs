using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow08_CreateAutomation;

internal sealed class CreateAutomationValidator : Validator<CreateAutomationRequest>
{
    public CreateAutomationValidator()
    {
        RuleFor(x => x.Name).NotEmpty().Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Must not be blank.").MaximumLength(200);
        RuleFor(x => x.Description).MaximumLength(5000);
        RuleFor(x => x.Department).MaximumLength(100);
        RuleFor(x => x.OwnerId).NotEqual(Guid.Empty).When(x => x.OwnerId.HasValue);
    }
}

internal sealed class ListAutomationsValidator : Validator<ListAutomationsRequest>
{
    public ListAutomationsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(s => VersionStatuses.All.Contains(s!)).When(x => x.Status is not null)
            .WithMessage($"Must be one of: {string.Join(", ", VersionStatuses.All)}.");
        RuleFor(x => x.Department).MaximumLength(100);
        RuleFor(x => x.Q).MaximumLength(200);
    }
}
