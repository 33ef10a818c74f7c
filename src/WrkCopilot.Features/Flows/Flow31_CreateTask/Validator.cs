using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tasks;

namespace WrkCopilot.Features.Flows.Flow31_CreateTask;

internal static class TaskRules
{
    public static readonly string[] CreatableContexts = [TaskContextTypes.Project, TaskContextTypes.AutomationVersion, TaskContextTypes.Client];
    public static readonly string[] Visibilities = [Visibility.Client, Visibility.Staff];

    public static string OneOf(IEnumerable<string> values) => "Must be one of: " + string.Join(", ", values) + ".";
}

internal sealed class CreateTaskValidator : Validator<CreateTaskRequest>
{
    public CreateTaskValidator()
    {
        RuleFor(x => x.ContextType).NotEmpty().Must(TaskRules.CreatableContexts.Contains).WithMessage(TaskRules.OneOf(TaskRules.CreatableContexts));
        RuleFor(x => x.ContextId).NotNull();
        RuleFor(x => x.Kind).NotEmpty().Must(TaskKinds.All.Contains).WithMessage(TaskRules.OneOf(TaskKinds.All));
        RuleFor(x => x.Title).Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("A title is required.").MaximumLength(300);
        RuleFor(x => x.Description).MaximumLength(5000);
        RuleFor(x => x.Priority).NotEmpty().Must(TaskPriorities.All.Contains).WithMessage(TaskRules.OneOf(TaskPriorities.All));
        RuleFor(x => x.Visibility).NotEmpty().Must(TaskRules.Visibilities.Contains).WithMessage(TaskRules.OneOf(TaskRules.Visibilities));
    }
}

internal sealed class ListTasksRules : AbstractValidator<ListTasksRequest>
{
    public ListTasksRules()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(TaskStatuses.All.Contains!).When(x => x.Status is not null).WithMessage(TaskRules.OneOf(TaskStatuses.All));
        RuleFor(x => x.Kind).Must(TaskKinds.All.Contains!).When(x => x.Kind is not null).WithMessage(TaskRules.OneOf(TaskKinds.All));
        RuleFor(x => x.ContextType).NotNull().When(x => x.ContextId is not null).WithMessage("context_id needs context_type.");
        RuleFor(x => x.ContextType).Must(TaskRules.CreatableContexts.Append(TaskContextTypes.Internal).Contains!)
            .When(x => x.ContextType is not null).WithMessage("Unknown context type.");
    }
}

internal sealed class ListTasksValidator : Validator<ListTasksRequest>
{
    public ListTasksValidator() => Include(new ListTasksRules());
}

internal sealed class AdminListTasksValidator : Validator<AdminListTasksRequest>
{
    public AdminListTasksValidator()
    {
        Include(new ListTasksRules());
        RuleFor(x => x.Visibility).Must(TaskRules.Visibilities.Contains!).When(x => x.Visibility is not null)
            .WithMessage(TaskRules.OneOf(TaskRules.Visibilities));
    }
}
