using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow19_PricingOverride;

internal sealed class CreatePricingOverrideValidator : Validator<CreatePricingOverrideRequest>
{
    public CreatePricingOverrideValidator()
    {
        RuleFor(x => x.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("A reason is required.").MaximumLength(2000);
        RuleFor(x => x.SetupFeeOverride).Must(s => Money.TryParseAmount(s, out _))
            .When(x => x.SetupFeeOverride is not null)
            .WithMessage("Must be a money string with at most 2 decimals, below 1,000,000,000, e.g. \"1200.00\".");
        RuleFor(x => x.UnitPriceOverride).Must(s => Money.TryParseUnitPrice(s, out _))
            .When(x => x.UnitPriceOverride is not null)
            .WithMessage("Must be a money string with at most 4 decimals, below 10,000, e.g. \"0.2000\".");
        RuleFor(x => x.UnitPriceOverride).NotNull().When(x => x.SetupFeeOverride is null)
            .WithMessage("Give unit_price_override, setup_fee_override or both.");
    }
}

internal sealed class ListPricingOverridesValidator : Validator<ListPricingOverridesRequest>
{
    public ListPricingOverridesValidator() => Include(new PageQueryRules());
}
