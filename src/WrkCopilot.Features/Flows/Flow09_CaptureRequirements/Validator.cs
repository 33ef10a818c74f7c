using System.Text;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow09_CaptureRequirements;

internal sealed class CaptureRequirementsValidator : Validator<CaptureRequirementsRequest>
{
    public CaptureRequirementsValidator()
    {
        // A multipart body's files are checked while they are read (type, size, count); a JSON body needs its text.
        When(_ => Resolve<IHttpContextAccessor>().HttpContext?.Request.HasFormContentType != true, () =>
            RuleFor(x => x.Text).Cascade(CascadeMode.Stop)
                .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("Send the requirements as non-empty text, or upload files as multipart/form-data.")
                .Must(t => Encoding.UTF8.GetByteCount(t!) <= RequirementsLimits.MaxTextBytes)
                .WithMessage($"At most {RequirementsLimits.MaxTextBytes:N0} bytes (1 MB) of text; upload a file for more."));
    }
}

internal sealed class ListRequirementsValidator : Validator<ListRequirementsRequest>
{
    public ListRequirementsValidator() => Include(new PageQueryRules());
}
