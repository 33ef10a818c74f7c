using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Billing;

namespace WrkCopilot.Features.Flows.Flow20_FinalizeBillingPeriod;

internal sealed class UpsertBillingPeriodValidator : Validator<UpsertBillingPeriodRequest>
{
    public UpsertBillingPeriodValidator()
    {
        RuleFor(x => x.TenantId).NotNull().WithMessage("A tenant_id is required.");
        RuleFor(x => x.Period).NotNull().WithMessage("A period (YYYY-MM) is required.");
        RuleFor(x => x.Period).Must(p => BillingMonth.TryParse(p, out _)).When(x => x.Period is not null)
            .WithMessage("Must be a month written YYYY-MM (year 2000 or later).");
    }
}
