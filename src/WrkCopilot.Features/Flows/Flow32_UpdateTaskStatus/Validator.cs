using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Flows.Flow32_UpdateTaskStatus;

internal sealed class UpdateTaskStatusValidator : Validator<UpdateTaskStatusRequest>
{
    public UpdateTaskStatusValidator() =>
        RuleFor(x => x.Status).NotEmpty().Must(TaskStatuses.All.Contains)
            .WithMessage("Must be one of: " + string.Join(", ", TaskStatuses.All) + ".");
}
