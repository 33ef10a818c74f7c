using FastEndpoints;
using FluentValidation;
using FluentValidation.Results;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

/// <summary>
/// Shape only: each entry's status, a reference that is a reference (and never a secret), an error only on failure, each system
/// once. Whether a system belongs to the version's blueprint is state, checked by the handler.
/// </summary>
internal sealed class PutCredentialsValidator : Validator<PutCredentialsRequest>
{
    public const int MaxEntries = 200;
    public const int MaxSystemLength = 100;
    public const int MaxErrorLength = 500;

    public PutCredentialsValidator()
    {
        RuleFor(x => x.Credentials).NotNull().WithMessage("The whole list of credentials is required (an empty list resets every system to pending).")
            .Must(c => c is null || c.Count <= MaxEntries).WithMessage($"At most {MaxEntries} entries.")
            .Custom(EachSystemOnce);
        // Every entry is checked (not only up to the first bad one), so one answer names every offending path.
        RuleForEach(x => x.Credentials).Cascade(CascadeMode.Continue).ChildRules(c =>
        {
            c.RuleFor(e => e.System).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage("Required.")
                .MaximumLength(MaxSystemLength)
                .Custom(NotASecret);
            c.RuleFor(e => e.Status).Must(s => CredentialStatuses.All.Contains(s))
                .WithMessage($"Must be one of: {string.Join(", ", CredentialStatuses.All)}.");
            c.RuleFor(e => e.Reference).Cascade(CascadeMode.Stop)
                .NotEmpty().When(e => e.Status == CredentialStatuses.Connected)
                .WithMessage("A connected system needs the WRK Platform's credential reference.")
                .MaximumLength(200)
                .Custom(ReferenceNotSecret);
            c.RuleFor(e => e.Error).Cascade(CascadeMode.Stop)
                .Null().When(e => e.Status != CredentialStatuses.Failed).WithMessage("Only a failed system carries an error.")
                .MaximumLength(MaxErrorLength)
                .Custom(NotASecret);
        });
    }

    private static void NotASecret(string? value, FluentValidation.ValidationContext<CredentialInput> ctx)
    {
        if (SignOf(value) is { } sign)
        {
            ctx.AddFailure(CredentialReferenceRules.SecretMessage(sign));
        }
    }

    // A secret pasted behind the platform's prefix (cred_sk_live_…) is still a secret (ADR 14): the secret signs are checked
    // first, then the reference format.
    private static void ReferenceNotSecret(string? value, FluentValidation.ValidationContext<CredentialInput> ctx)
    {
        if (value is null)
        {
            return;
        }
        if (SignOf(value) is { } sign)
        {
            ctx.AddFailure(CredentialReferenceRules.SecretMessage(sign));
        }
        else if (!CredentialReferenceRules.IsReference(value))
        {
            ctx.AddFailure(CredentialReferenceRules.FormatMessage);
        }
    }

    // The heuristics run with a match timeout: a value built to make one slow is refused as suspicious, never a 500.
    private static string? SignOf(string? value)
    {
        try
        {
            return CredentialReferenceRules.SecretSign(value);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return "unreadable text";
        }
    }

    private static void EachSystemOnce(List<CredentialInput>? entries, FluentValidation.ValidationContext<PutCredentialsRequest> ctx)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < (entries?.Count ?? 0); i++)
        {
            var system = entries![i].System?.Trim();
            if (!string.IsNullOrEmpty(system) && !seen.Add(system))
            {
                ctx.AddFailure(new ValidationFailure($"credentials[{i}].system", "This system is listed twice; list each system once."));
            }
        }
    }
}
