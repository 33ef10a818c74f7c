using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow30_SendMessage;

internal sealed class SendMessageValidator : Validator<SendMessageRequest>
{
    public const int MaxText = 10_000;
    public const int MaxAttachments = 20;
    public const int MaxTags = 10;
    public const int MaxTagLength = 40;

    public SendMessageValidator()
    {
        RuleFor(x => x.ProjectId).Must((req, projectId) => projectId.HasValue != req.AutomationVersionId.HasValue)
            .WithMessage("Give exactly one of project_id and automation_version_id.");
        RuleFor(x => x.Type).NotEmpty()
            .Must(t => t != MessageTypes.System).WithMessage("System messages are written by the flows only.")
            .Must(t => t is MessageTypes.Client or MessageTypes.Ops or MessageTypes.InternalNote)
            .WithMessage("Type must be client, ops or internal_note.");
        RuleFor(x => x.Text).NotEmpty().MaximumLength(MaxText);
        RuleFor(x => x.Attachments).Must(a => a!.Count <= MaxAttachments).When(x => x.Attachments is not null)
            .WithMessage($"At most {MaxAttachments} attachments.");
        RuleForEach(x => x.Attachments).NotNull().WithMessage("An attachment is an object with artifact_id.");
        RuleForEach(x => x.Attachments).ChildRules(a =>
            a.RuleFor(r => r.ArtifactId).NotNull().WithMessage("artifact_id is required."));
        RuleFor(x => x.Tags).Must(t => t!.Count <= MaxTags).When(x => x.Tags is not null)
            .WithMessage($"At most {MaxTags} tags.");
        RuleForEach(x => x.Tags).Must(t => !string.IsNullOrWhiteSpace(t) && t.Trim().Length <= MaxTagLength)
            .WithMessage($"A tag is a non-empty string of at most {MaxTagLength} characters.");
    }
}

internal sealed class ListProjectMessagesValidator : Validator<ListProjectMessagesRequest>
{
    public ListProjectMessagesValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Q).MaximumLength(200);
    }
}

internal sealed class ListAutomationMessagesValidator : Validator<ListAutomationMessagesRequest>
{
    public ListAutomationMessagesValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Q).MaximumLength(200);
    }
}
