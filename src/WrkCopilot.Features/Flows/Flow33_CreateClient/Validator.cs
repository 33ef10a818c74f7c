using System.Globalization;
using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow33_CreateClient;

internal sealed class CreateClientValidator : Validator<CreateClientRequest>
{
    public CreateClientValidator()
    {
        RuleFor(x => x.TenantId).NotNull().NotEqual(Guid.Empty);
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("A name is required.").MaximumLength(200);
        RuleFor(x => x.Industry).MaximumLength(100);
        RuleFor(x => x.OwnerId).NotNull().NotEqual(Guid.Empty);
        RuleFor(x => x.CommittedMonthlySpend).Must(s => Money.TryParseAmount(s, out _))
            .WithMessage("Must be a non-negative amount as a string with at most two decimals, e.g. \"1500.00\".");
    }
}

internal sealed class ListClientsValidator : Validator<ListClientsRequest>
{
    public ListClientsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Health).Must(h => ClientHealth.All.Contains(h!)).When(x => x.Health is not null)
            .WithMessage($"Must be one of: {string.Join(", ", ClientHealth.All)}.");
        RuleFor(x => x.Q).MaximumLength(200);
    }
}

internal static class ClientHealth
{
    public static readonly string[] All = ["good", "at_risk", "churn_risk"];
}

