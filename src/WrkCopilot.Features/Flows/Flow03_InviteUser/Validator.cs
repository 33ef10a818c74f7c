using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

internal sealed class CreateInvitationValidator : Validator<CreateInvitationRequest>
{
    public CreateInvitationValidator()
    {
        RuleFor(x => x.Email).NotEmpty().MaximumLength(320).EmailAddress();
        RuleFor(x => x.Roles).NotEmpty().WithMessage("At least one role is required.")
            .Must(r => r is not null && r.TrueForAll(role => !string.IsNullOrWhiteSpace(role) && role.Length <= 32))
            .WithMessage("Roles must be non-empty role names.");
    }
}

internal sealed class ListInvitationsValidator : Validator<ListInvitationsRequest>
{
    public ListInvitationsValidator() => Include(new PageQueryRules());
}
