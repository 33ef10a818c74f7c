using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow01_SignUp;

internal sealed class SignUpValidator : Validator<SignUpRequest>
{
    public SignUpValidator()
    {
        RuleFor(x => x.Email).NotEmpty().MaximumLength(320).EmailAddress();
        RuleFor(x => x.Password).NotEmpty().Custom((password, ctx) =>
        {
            if (PasswordPolicy.Check(password ?? "") is { } problem)
            {
                ctx.AddFailure(problem);
            }
        });
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        RuleFor(x => x.WorkspaceName).NotEmpty().MaximumLength(200);
    }
}
