using FastEndpoints;
using FluentValidation;

namespace WrkCopilot.Features.Flows.Flow23_QaResult;

internal sealed class QaResultValidator : Validator<QaResultRequest>
{
    public QaResultValidator()
    {
        RuleFor(x => x.Result).Must(r => r is QaResults.Pass or QaResults.Fail).WithMessage("Must be pass or fail.");
        RuleFor(x => x.Notes).MaximumLength(QaResults.MaxNotesLength);
        RuleFor(x => x.Notes).Must(n => !string.IsNullOrWhiteSpace(n)).When(x => x.Result == QaResults.Fail)
            .WithMessage("Failure notes are required when QA fails: they tell the rebuild what to fix.");
    }
}
