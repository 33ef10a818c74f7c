using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow07_ApiKeys;

internal sealed class CreateApiKeyValidator : Validator<CreateApiKeyRequest>
{
    public CreateApiKeyValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Permissions).NotEmpty().WithMessage("At least one permission is required.")
            .Must(p => p is not null && p.TrueForAll(Permissions.All.Contains))
            .WithMessage($"Permissions must be among: {string.Join(", ", Permissions.All)}.");
    }
}

internal sealed class ListApiKeysValidator : Validator<ListApiKeysRequest>
{
    public ListApiKeysValidator() => Include(new PageQueryRules());
}
