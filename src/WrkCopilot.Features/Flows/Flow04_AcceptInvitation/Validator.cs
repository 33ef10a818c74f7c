using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow04_AcceptInvitation;

internal sealed class AcceptInvitationValidator : Validator<AcceptInvitationRequest>
{
    public AcceptInvitationValidator()
    {
        RuleFor(x => x.Token).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200).When(x => x.Name is not null);
        RuleFor(x => x.Password).Custom((password, ctx) =>
        {
            if (PasswordPolicy.Check(password!) is { } problem)
            {
                ctx.AddFailure(problem);
            }
        }).When(x => x.Password is not null);
    }
}
