using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

internal sealed class UpdateClientHealthValidator : Validator<UpdateClientHealthRequest>
{
    public UpdateClientHealthValidator()
    {
        RuleFor(x => x.HealthStatus).Must(h => HealthLevels.Rank(h) >= 0)
            .WithMessage($"Must be one of: {string.Join(", ", HealthLevels.All)}.");
        RuleFor(x => x.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("A reason is required.").MaximumLength(2000);
    }
}

/// <summary>Health from best to worst: a move to a higher rank is a worsening.</summary>
internal static class HealthLevels
{
    public static readonly string[] All = ["good", "at_risk", "churn_risk"];

    public static int Rank(string? health) => health is null ? -1 : Array.IndexOf(All, health);
}
