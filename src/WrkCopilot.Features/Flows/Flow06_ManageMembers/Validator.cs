using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow06_ManageMembers;

internal sealed class ListMembersValidator : Validator<ListMembersRequest>
{
    public ListMembersValidator() => Include(new PageQueryRules());
}

internal sealed class ChangeRolesValidator : Validator<ChangeRolesRequest>
{
    public ChangeRolesValidator()
    {
        RuleFor(x => x.Roles).NotEmpty().WithMessage("At least one role is required.")
            .Must(r => r is not null && r.TrueForAll(role => !string.IsNullOrWhiteSpace(role) && role.Length <= 32))
            .WithMessage("Roles must be non-empty role names.");
    }
}
