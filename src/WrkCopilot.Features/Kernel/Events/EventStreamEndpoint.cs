using System.Globalization;
using System.Text;
using System.Text.Json;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Events;

/// <summary>
/// <c>GET /v1/events/stream</c>: Server-Sent Events of the caller's tenant as they commit (ADR 9). Each read
/// is a short transaction in the session's tenant (RLS applies); a client session never gets staff-only events,
/// and per-user events reach only their user. <c>Last-Event-ID</c> resumes after that id.
/// </summary>
public sealed class EventStreamRequest
{
    /// <summary>The id of the last event received: the stream resumes after it (browsers' EventSource sends it on reconnect).</summary>
    [FromHeader(EventStreamEndpoint.LastEventIdHeader, isRequired: false)]
    public string? LastEventId { get; set; }
}

internal sealed class EventStreamEndpoint(AppDbContext db, CurrentSession current, StreamHub hub, SessionDirectory sessions,
    IOptions<EventStreamOptions> options) : Endpoint<EventStreamRequest>
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public override void Configure()
    {
        Get("/v1/events/stream");
        EndpointAccess.DeclareAnyUser(this, allowApiKeys: false);
        Description(b => b.ClearDefaultProduces(200).Produces(200, typeof(string), "text/event-stream"), clearDefaults: false);
        Summary(s =>
        {
            s.Summary = "Real-time updates of the caller's workspace (Server-Sent Events).";
            s.Description = "Events: version.status_changed, message.created, task.created, task.updated, notification.created. " +
                            "Each has an `id`; send it back as the `Last-Event-ID` header to resume after it. A comment line is sent " +
                            "every 15 s; the stream ends when the session is revoked or the membership removed. JWT only (API keys: 403).";
            s.Responses[200] = "An open `text/event-stream`.";
            s.Responses[400] = "Last-Event-ID is not an event id.";
        });
    }

    public override async Task HandleAsync(EventStreamRequest req, CancellationToken ct)
    {
        var session = current.Required;
        long? resumeAfter = null;
        if (!string.IsNullOrEmpty(req.LastEventId))
        {
            if (!long.TryParse(req.LastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                await Problem.WriteAsync(HttpContext, [AppErrors.Validation(LastEventIdHeader, "Must be the id of an event this stream sent.")]);
                return;
            }
            resumeAfter = parsed;
        }

        // Subscribe before reading the start position, so nothing committed in between is missed.
        using var subscription = hub.Subscribe(session.TenantId);
        var cursor = resumeAfter ?? await ReadAsync(q => q.Select(e => (long?)e.Id).MaxAsync(ct)) ?? 0;

        var response = HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 3000\n: connected\n\n", ct);
        await response.Body.FlushAsync(ct);

        var batchSize = options.Value.BatchSize;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = await ReadAsync(q => VisibleTo(q, session).Where(e => e.Id > cursor).OrderBy(e => e.Id).Take(batchSize)
                    .Select(e => new { e.Id, e.Type, e.Data }).ToListAsync(ct));
                if (batch.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var e in batch)
                    {
                        text.Append("id: ").Append(e.Id.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("event: ").Append(e.Type).Append('\n')
                            .Append("data: ").Append(JsonSerializer.Serialize(e.Data.RootElement)).Append("\n\n");
                        e.Data.Dispose();
                    }
                    cursor = batch[^1].Id;
                    await response.WriteAsync(text.ToString(), ct);
                    await response.Body.FlushAsync(ct);
                    if (batch.Count == batchSize)
                    {
                        continue;
                    }
                }
                if (!await subscription.WaitAsync(options.Value.KeepAlive, ct))
                {
                    if (!await StillAllowedAsync(session, ct))
                    {
                        return;
                    }
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: the normal end of a stream.
        }
    }

    private static IQueryable<StreamEvent> VisibleTo(IQueryable<StreamEvent> events, AuthenticatedSession session)
    {
        var userId = session.UserId;
        events = events.Where(e => e.TenantId == session.TenantId && (e.UserId == null || e.UserId == userId));
        return session.IsStaff ? events : events.Where(e => e.Visibility == Visibility.Client);
    }

    /// <summary>A revoked session or a removed member loses the stream within one keep-alive interval (plus the role cache).</summary>
    private async Task<bool> StillAllowedAsync(AuthenticatedSession session, CancellationToken ct)
    {
        if (session.SessionId is { } family && !await sessions.SessionAliveAsync(family, ct))
        {
            return false;
        }
        return session.UserId is not { } userId || await sessions.MembershipAsync(session.TenantId, userId, ct) is not null;
    }

    private async Task<T> ReadAsync<T>(Func<IQueryable<StreamEvent>, Task<T>> query)
    {
        // A short transaction per read: the tenant is set for RLS, and no connection is held while the stream idles.
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var result = await query(db.StreamEvents.AsNoTracking());
        await tx.CommitAsync(CancellationToken.None);
        return result;
    }
}
