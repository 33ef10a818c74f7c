using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Flows.Flow13_StatusRouter;

internal sealed class ChangeVersionStatusValidator : Validator<ChangeVersionStatusRequest>
{
    public ChangeVersionStatusValidator()
    {
        RuleFor(x => x.Status).NotEmpty().Must(StatusRules.IsKnown).WithMessage(StatusRules.UnknownMessage);
        RuleFor(x => x.Reason).MaximumLength(StatusRules.MaxReasonLength);
    }
}

internal sealed class ChangeProjectStatusValidator : Validator<ChangeProjectStatusRequest>
{
    public ChangeProjectStatusValidator()
    {
        RuleFor(x => x.Status).NotEmpty().Must(StatusRules.IsKnown).WithMessage(StatusRules.UnknownMessage);
        RuleFor(x => x.Reason).MaximumLength(StatusRules.MaxReasonLength);
    }
}

internal static class StatusRules
{
    public const int MaxReasonLength = 2000;

    public static readonly string UnknownMessage = $"Must be one of: {string.Join(", ", VersionStatuses.All)}.";

    public static bool IsKnown(string? status) => status is not null && VersionStatuses.All.Contains(status);
}
