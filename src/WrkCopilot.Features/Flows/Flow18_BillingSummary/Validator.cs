using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Billing;

namespace WrkCopilot.Features.Flows.Flow18_BillingSummary;

internal sealed class TenantBillingSummaryValidator : Validator<TenantBillingSummaryRequest>
{
    public TenantBillingSummaryValidator() =>
        RuleFor(x => x.Period).Must(p => BillingMonth.TryParse(p, out _)).When(x => x.Period is not null)
            .WithMessage("Must be a month written YYYY-MM (year 2000 or later).");
}

internal sealed class ClientBillingSummaryValidator : Validator<ClientBillingSummaryRequest>
{
    public ClientBillingSummaryValidator() =>
        RuleFor(x => x.Period).Must(p => BillingMonth.TryParse(p, out _)).When(x => x.Period is not null)
            .WithMessage("Must be a month written YYYY-MM (year 2000 or later).");
}
