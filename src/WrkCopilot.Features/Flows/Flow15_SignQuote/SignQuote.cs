using ErrorOr;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Quotes;

namespace WrkCopilot.Features.Flows.Flow15_SignQuote;

/// <summary>
/// <c>PATCH /v1/quotes/{id}/status {status:"signed"}</c> on an initial quote: the client admin signs a sent, unexpired quote, which is
/// T3 (the version goes to <c>build_in_progress</c> and the build is requested). An expired quote is 409 <c>quote_expired</c> and
/// nothing is written (reads already show it as <c>expired</c>; ADR 12).
/// </summary>
internal sealed class SignQuoteChange(AppDbContext db, LifecycleTransitionHandler lifecycle, TimeProvider clock) : IQuoteStatusChange
{
    public string TargetStatus => QuoteStatuses.Signed;

    public bool Handles(Quote quote) => quote.Kind == QuoteKinds.Initial;

    public async Task<ErrorOr<Success>> ApplyAsync(Quote quote, QuoteStatusChangeRequest request, CancellationToken ct)
    {
        if (!request.Caller.Has(AppRoles.ClientAdmin))
        {
            return AppErrors.Forbidden("Only an admin of the client workspace signs its quotes.");
        }
        if (quote.Status != QuoteStatuses.Sent)
        {
            return AppErrors.Conflict("invalid_quote_transition", $"The quote is {quote.Status}; only a sent quote can be signed.",
                new Dictionary<string, object> { ["current_status"] = quote.Status });
        }
        if (QuoteReads.IsExpired(quote, clock.GetUtcNow()))
        {
            return QuoteExpired(quote);
        }
        var version = await db.AutomationVersions.FirstAsync(v => v.Id == quote.AutomationVersionId, ct);
        var applied = await lifecycle.ApplyAsync(version,
            new TransitionRequest(VersionStatuses.BuildInProgress, LifecycleActor.Of(request.Caller), null), ct);
        return applied.IsError ? applied.Errors : Result.Success;
    }

    private static Error QuoteExpired(Quote quote) => AppErrors.Conflict("quote_expired",
        $"The quote expired at {quote.ExpiresAt:O}; reject it to get a new one.",
        new Dictionary<string, object> { ["expires_at"] = quote.ExpiresAt! });
}

/// <summary>
/// T3: the version's sent quote becomes <c>signed</c> with the signature record (signer, time, IP, user agent, SHA-256 of the terms
/// and of the blueprint they price) and the project's pricing status follows. Also reached through Flow 13's generic endpoint, so it
/// finds the quote itself and refuses an expired one there too.
/// </summary>
internal sealed class QuoteSignedEffect(AppDbContext db, QuoteDrafting drafting, AuditTrail audit, IHttpContextAccessor http,
    TimeProvider clock) : ITransitionEffect
{

    public string Id => "quote_signed";

    public async Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct)
    {
        var version = context.Version;
        var quote = await db.Quotes
            .Where(q => q.AutomationVersionId == version.Id && q.Status == QuoteStatuses.Sent && q.Kind == QuoteKinds.Initial)
            .OrderByDescending(q => q.SentAt).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        if (quote is null)
        {
            return "The version has no sent quote to sign.";
        }
        if (QuoteReads.IsExpired(quote, now))
        {
            return $"The quote expired at {quote.ExpiresAt:O}; reject it to get a new one.";
        }
        var request = http.HttpContext?.Request;
        quote.Status = QuoteStatuses.Signed;
        QuoteSignature.Record(quote, version.BlueprintJson.RootElement, context.Actor.UserId,
            http.HttpContext?.Connection.RemoteIpAddress?.ToString(), request?.Headers.UserAgent.ToString(), now);
        quote.UpdatedAt = now;
        await drafting.SetPricingStatusAsync(version.Id, PricingStatuses.Signed, ct);
        audit.Record("quote_signed", "quote", quote.Id, new
        {
            automation_version_id = version.Id,
            terms_sha256 = quote.TermsSha256,
            blueprint_sha256 = quote.BlueprintSha256,
            signed_ip = quote.SignedIp,
        });
        return null;
    }
}
