using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow02_Login;

internal sealed class LoginValidator : Validator<LoginRequest>
{
    public LoginValidator()
    {
        RuleFor(x => x.Email).NotEmpty().MaximumLength(320).EmailAddress();
        // Bounded so that a huge body cannot make the hash expensive; the policy applies only when a password is set.
        RuleFor(x => x.Password).NotEmpty().MaximumLength(1024);
    }
}

internal sealed class RefreshValidator : Validator<RefreshRequest>
{
    public RefreshValidator()
    {
        RuleFor(x => x.RefreshToken).NotEmpty().MaximumLength(256);
    }
}

internal sealed class LogoutValidator : Validator<LogoutRequest>
{
    public LogoutValidator()
    {
        RuleFor(x => x.RefreshToken).MaximumLength(256);
    }
}

internal sealed class PasswordResetValidator : Validator<PasswordResetRequest>
{
    public PasswordResetValidator()
    {
        RuleFor(x => x.Email).NotEmpty().MaximumLength(320).EmailAddress();
    }
}

internal sealed class PasswordResetConfirmValidator : Validator<PasswordResetConfirmRequest>
{
    public PasswordResetConfirmValidator()
    {
        RuleFor(x => x.Token).NotEmpty().MaximumLength(256);
        RuleFor(x => x.Password).NotEmpty().Custom((password, ctx) =>
        {
            if (PasswordPolicy.Check(password ?? "") is { } problem)
            {
                ctx.AddFailure(problem);
            }
        });
    }
}
