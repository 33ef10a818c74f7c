using ErrorOr;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Quotes;

/// <summary>What a caller asks of <c>PATCH /v1/quotes/{id}/status</c>, with what the signature must record about them.</summary>
public sealed record QuoteStatusChangeRequest(string Status, string? Reason, AuthenticatedSession Caller, string? ClientIp, string? UserAgent);

/// <summary>
/// One move of a quote's status, owned by its flow: <c>sent</c> (Flow 14), <c>signed</c> of an initial quote (Flow 15) or of an
/// amendment (Flow 17), <c>rejected</c> (Flow 16). The shared endpoint finds the quote (staff in its own tenant) and hands it to
/// the one change that <see cref="Handles"/> it; the change checks the caller's role (403), the quote's state (409), makes the
/// change (through the lifecycle kernel where the flow says so) and saves it.
/// </summary>
public interface IQuoteStatusChange
{
    string TargetStatus { get; }

    bool Handles(Quote quote);

    Task<ErrorOr<Success>> ApplyAsync(Quote quote, QuoteStatusChangeRequest request, CancellationToken ct);
}

public sealed class ChangeQuoteStatusRequest
{
    public Guid Id { get; set; }
    public string Status { get; set; } = "";
    public string? Reason { get; set; }

    /// <summary>Optional: the quote's <c>row_version</c> last read; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

internal sealed class ChangeQuoteStatusValidator : Validator<ChangeQuoteStatusRequest>
{
    public static readonly string[] Requestable = [QuoteStatuses.Sent, QuoteStatuses.Signed, QuoteStatuses.Rejected];

    public ChangeQuoteStatusValidator()
    {
        RuleFor(x => x.Status).Must(s => Requestable.Contains(s)).WithMessage("Must be sent, signed or rejected.");
        RuleFor(x => x.Reason).MaximumLength(2000);
        RuleFor(x => x.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).When(x => x.Status == QuoteStatuses.Rejected)
            .WithMessage("Required: why the quote is rejected.");
    }
}

internal sealed class ChangeQuoteStatusHandler(AppDbContext db, ResourceScope scope, CurrentSession session,
    IEnumerable<IQuoteStatusChange> changes, IHttpContextAccessor http) : IHandler
{
    public async Task<ErrorOr<QuoteView>> ChangeAsync(ChangeQuoteStatusRequest req, CancellationToken ct)
    {
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        if (!await scope.EnterAsync("quotes", "quote", req.Id, ct))
        {
            return AppErrors.NotFound("Quote");
        }
        var quote = await db.Quotes.FirstOrDefaultAsync(q => q.Id == req.Id, ct);
        if (quote is null)
        {
            return AppErrors.NotFound("Quote");
        }
        if (expected.Value is { } versions && !versions.Contains(quote.RowVersion))
        {
            return AppErrors.PreconditionFailed($"The quote changed (row_version is {quote.RowVersion}); reload and retry.");
        }
        var change = changes.FirstOrDefault(c => c.TargetStatus == req.Status && c.Handles(quote));
        if (change is null)
        {
            return AppErrors.Conflict("invalid_quote_transition",
                $"A {quote.Kind} quote in status '{quote.Status}' cannot become '{req.Status}'.",
                new Dictionary<string, object> { ["current_status"] = quote.Status });
        }
        var ctx = http.HttpContext;
        var applied = await change.ApplyAsync(quote, new QuoteStatusChangeRequest(req.Status, req.Reason?.Trim(), session.Required,
            ctx?.Connection.RemoteIpAddress?.ToString(), ctx?.Request.Headers.UserAgent.ToString()), ct);
        return applied.IsError ? applied.Errors : QuoteView.Of(quote);
    }
}

internal sealed class ChangeQuoteStatusEndpoint(ChangeQuoteStatusHandler handler) : ApiEndpoint<ChangeQuoteStatusRequest, QuoteView>
{
    public override void Configure()
    {
        Patch("/v1/quotes/{id}/status");
        Access(AppRoles.ClientAdmin, AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flows 14–17 — send (ops), sign or reject (client admin) a quote; signing an amendment supersedes the quote it amends.";
            s.Description = "sent: ops_admin or operator admin, a draft quote (T2). signed: client admin, a sent quote not expired (T3, or Flow 17 " +
                            "for an amendment). rejected: client admin, a sent quote, reason required (T4). Optional If-Match: the row_version last read.";
            s.Responses[200] = "The quote after the change.";
            s.Responses[400] = "Unknown status ($.status), or a missing reason ($.reason).";
            s.Responses[403] = "forbidden: the caller's role may not make this change (e.g. a client sending its own quote).";
            s.Responses[404] = "No such quote in the caller's tenant.";
            s.Responses[409] = "invalid_quote_transition, quote_expired, a lifecycle error, or concurrency_conflict.";
            s.Responses[412] = "precondition_failed: If-Match is stale.";
        });
    }

    protected override Task<ErrorOr<QuoteView>> HandleRequestAsync(ChangeQuoteStatusRequest req, CancellationToken ct) =>
        handler.ChangeAsync(req, ct);
}
