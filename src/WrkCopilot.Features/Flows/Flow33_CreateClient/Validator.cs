using System.Globalization;
using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow33_CreateClient;

internal sealed class CreateClientValidator : Validator<CreateClientRequest>
{
    public CreateClientValidator()
    {
        RuleFor(x => x.TenantId).NotNull().NotEqual(Guid.Empty);
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("A name is required.").MaximumLength(200);
        RuleFor(x => x.Industry).MaximumLength(100);
        RuleFor(x => x.OwnerId).NotNull().NotEqual(Guid.Empty);
        RuleFor(x => x.CommittedMonthlySpend).Must(ClientMoney.IsValid)
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

/// <summary>Money at the boundary: a JSON string, never a float; numeric(14,2) in the database.</summary>
internal static class ClientMoney
{
    public static bool IsValid(string? text) =>
        text is { Length: > 0 and <= 16 } && text.All(c => char.IsAsciiDigit(c) || c == '.') &&
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) &&
        value < 1_000_000_000_000m && decimal.Round(value, 2) == value && text[0] != '.' && text[^1] != '.';

    public static decimal Parse(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    public static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
