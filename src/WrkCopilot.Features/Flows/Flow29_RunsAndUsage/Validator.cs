using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow29_RunsAndUsage;

internal static class RunFilters
{
    public static readonly string[] Statuses = ["running", "succeeded", "failed"];
    public static readonly string[] Granularities = ["day", "month"];
    public static readonly string[] AlertStatuses = ["open", "acknowledged"];
}

internal sealed class ListRunsValidator : Validator<ListRunsRequest>
{
    public ListRunsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(s => RunFilters.Statuses.Contains(s)).When(x => x.Status is not null)
            .WithMessage("Must be one of: running, succeeded, failed.");
        RuleFor(x => x.To).GreaterThan(x => x.From).When(x => x.From.HasValue && x.To.HasValue).WithMessage("Must be after from.");
    }
}

internal sealed class UsageValidator : Validator<UsageRequest>
{
    public UsageValidator()
    {
        RuleFor(x => x.Granularity).Must(g => RunFilters.Granularities.Contains(g)).When(x => x.Granularity is not null)
            .WithMessage("Must be day or month.");
        RuleFor(x => x.To).GreaterThanOrEqualTo(x => x.From).When(x => x.From.HasValue && x.To.HasValue).WithMessage("Must not be before from.");
    }
}

internal sealed class PutAlertThresholdsValidator : Validator<PutAlertThresholdsRequest>
{
    public PutAlertThresholdsValidator()
    {
        RuleFor(x => x.FailureRatePct).GreaterThan(0).LessThanOrEqualTo(100).PrecisionScale(5, 2, true);
        RuleFor(x => x.WindowRuns).InclusiveBetween(1, 10_000);
        RuleFor(x => x.VolumePctOfCommitted).GreaterThan(0).LessThanOrEqualTo(10_000).PrecisionScale(7, 2, true);
        RuleFor(x => x.MonthlyBudget).Must(b => Money.TryParse(b, 2, out var v, 12) && v >= 0).When(x => x.MonthlyBudget is not null)
            .WithMessage("Must be a non-negative amount as a string with at most two decimals, e.g. \"500.00\".");
    }
}

internal sealed class ListAlertsValidator : Validator<ListAlertsRequest>
{
    public ListAlertsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(s => RunFilters.AlertStatuses.Contains(s)).When(x => x.Status is not null)
            .WithMessage("Must be open or acknowledged.");
    }
}
