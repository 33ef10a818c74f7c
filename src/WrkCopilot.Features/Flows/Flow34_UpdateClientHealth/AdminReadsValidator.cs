using FastEndpoints;
using FluentValidation;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

internal sealed class ListProjectsValidator : Validator<ListProjectsRequest>
{
    public static readonly string[] PricingStatuses = ["none", "draft", "sent", "signed", "rejected"];

    public ListProjectsValidator()
    {
        Include(new PageQueryRules());
        RuleFor(x => x.Status).Must(s => VersionStatuses.All.Contains(s!)).When(x => x.Status is not null)
            .WithMessage($"Must be one of: {string.Join(", ", VersionStatuses.All)}.");
        RuleFor(x => x.PricingStatus).Must(s => PricingStatuses.Contains(s!)).When(x => x.PricingStatus is not null)
            .WithMessage($"Must be one of: {string.Join(", ", PricingStatuses)}.");
    }
}

internal sealed class AuditFilterRules : AbstractValidator<IAuditLogFilter>
{
    public AuditFilterRules()
    {
        RuleFor(x => x.Action).MaximumLength(100);
        RuleFor(x => x.ResourceType).MaximumLength(100);
        RuleFor(x => x.To).GreaterThan(x => x.From).When(x => x.From is not null && x.To is not null)
            .WithMessage("'to' must be after 'from'.");
    }
}

internal sealed class ListAuditLogsValidator : Validator<ListAuditLogsRequest>
{
    public ListAuditLogsValidator()
    {
        Include(new PageQueryRules());
        Include(new AuditFilterRules());
    }
}

internal sealed class ExportAuditLogsValidator : Validator<ExportAuditLogsRequest>
{
    public ExportAuditLogsValidator()
    {
        Include(new AuditFilterRules());
        RuleFor(x => x.Format).Must(f => f is "ndjson" or "csv").When(x => x.Format is not null)
            .WithMessage("Must be ndjson or csv.");
    }
}
