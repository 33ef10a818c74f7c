using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

internal sealed class AdjustQuoteValidator : Validator<AdjustQuoteRequest>
{
    public const int MaxVolume = 1_000_000_000;

    public AdjustQuoteValidator()
    {
        RuleFor(x => x.SetupFee).Must(s => Money.TryParseAmount(s, out _)).When(x => x.SetupFee is not null)
            .WithMessage("Must be an amount as a string with at most 2 decimals, below 1,000,000,000, e.g. \"1500.00\".");
        RuleFor(x => x.UnitPrice).Must(s => Money.TryParseUnitPrice(s, out var v) && v > 0).When(x => x.UnitPrice is not null)
            .WithMessage("Must be a unit price above zero as a string with at most 4 decimals, below 10,000, e.g. \"0.2500\".");
        RuleFor(x => x.EstimatedVolume).InclusiveBetween(1, MaxVolume).When(x => x.EstimatedVolume is not null);
        RuleFor(x => x.Notes).MaximumLength(5000);
        RuleFor(x => x).Must(x => x.SetupFee is not null || x.UnitPrice is not null || x.EstimatedVolume is not null || x.Notes is not null)
            .OverridePropertyName("$")
            .WithMessage("Send at least one of setup_fee, unit_price, estimated_volume, notes.");
    }
}

internal sealed class ListVersionQuotesValidator : Validator<ListVersionQuotesRequest>
{
    public ListVersionQuotesValidator() => Include(new PageQueryRules());
}
