using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Outbox.Admin;

internal sealed class ListJobsValidator : Validator<ListJobsRequest>
{
    public ListJobsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(s => JobStatuses.All.Contains(s)).When(x => x.Status is not null)
            .WithMessage($"Must be one of: {string.Join(", ", JobStatuses.All)}.");
        RuleFor(x => x.Queue).MaximumLength(100);
        RuleFor(x => x.Type).MaximumLength(200);
    }
}
