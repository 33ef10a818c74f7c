using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow05_SwitchWorkspace;

internal sealed class SwitchTenantValidator : Validator<SwitchTenantRequest>
{
    public SwitchTenantValidator()
    {
        RuleFor(x => x.TenantId).NotEmpty();
    }
}
