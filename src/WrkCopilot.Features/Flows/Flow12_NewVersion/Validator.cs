using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow12_NewVersion;

internal sealed class CreateVersionValidator : Validator<CreateVersionRequest>
{
    public CreateVersionValidator()
    {
        RuleFor(x => x.Bump).Must(b => b is "minor" or "major").WithMessage("Must be minor or major.");
        RuleFor(x => x.Notes).MaximumLength(5000);
    }
}

internal sealed class ListVersionsValidator : Validator<ListVersionsRequest>
{
    public ListVersionsValidator() => Include(new PageQueryRules());
}

internal sealed class DiffValidator : Validator<DiffRequest>
{
    public DiffValidator() => RuleFor(x => x.Against).NotNull().WithMessage("Required: the id of the version to compare against.")
        .NotEqual(Guid.Empty);
}
