using System.Text.Json;
using ErrorOr;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Notifications;

public sealed class ListNotificationsRequest : PageQuery
{
    /// <summary>Only notifications not yet marked read.</summary>
    [QueryParam]
    public bool? Unread { get; set; }
}

public sealed class MarkNotificationReadRequest
{
    public Guid Id { get; set; }
}

public sealed record NotificationView(Guid Id, string EventType, string Title, string? Body, JsonElement Data, DateTimeOffset? ReadAt,
    DateTimeOffset CreatedAt);

internal sealed class ListNotificationsValidator : Validator<ListNotificationsRequest>
{
    public ListNotificationsValidator() => Include(new PageQueryRules());
}

/// <summary>The caller's own in-app notifications in the session's tenant: a user's notifications are nobody else's business.</summary>
internal sealed class NotificationsHandler(AppDbContext db, CurrentSession session, TimeProvider clock) : IHandler
{
    public Task<ErrorOr<Page<NotificationView>>> ListAsync(ListNotificationsRequest req, CancellationToken ct)
    {
        var userId = session.Required.UserId;
        var query = db.Notifications.AsNoTracking().Where(n => n.UserId == userId && n.Channel == NotificationChannels.InApp);
        if (req.Unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }
        return query.ToPageAsync(req, n => n.CreatedAt, n => n.Id,
            n => new NotificationView(n.Id, n.EventType, n.Title, n.Body, n.DataJson.RootElement.Clone(), n.ReadAt, n.CreatedAt), ct);
    }

    public async Task<ErrorOr<Success>> MarkReadAsync(MarkNotificationReadRequest req, CancellationToken ct)
    {
        var userId = session.Required.UserId;
        var notification = await db.Notifications
            .FirstOrDefaultAsync(n => n.Id == req.Id && n.UserId == userId && n.Channel == NotificationChannels.InApp, ct);
        if (notification is null)
        {
            return AppErrors.NotFound("Notification");
        }
        if (notification.ReadAt is null)
        {
            notification.ReadAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
        return Result.Success;
    }
}

internal sealed class ListNotificationsEndpoint(NotificationsHandler handler) : ListEndpoint<ListNotificationsRequest, NotificationView>
{
    public override void Configure()
    {
        Get("/v1/notifications");
        Access([.. AppRoles.AnyClient, .. AppRoles.Staff]);
        Summary(s =>
        {
            s.Summary = "The caller's in-app notifications in this workspace, newest first (`?unread=true`: only unread).";
            s.Responses[400] = "Bad limit or cursor.";
        });
    }

    protected override Task<ErrorOr<Page<NotificationView>>> HandleRequestAsync(ListNotificationsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class MarkNotificationReadEndpoint(NotificationsHandler handler) : ApiEndpoint<MarkNotificationReadRequest, Success>
{
    public override void Configure()
    {
        Post("/v1/notifications/{id}/read");
        AnyUser();
        Summary(s =>
        {
            s.Summary = "Mark one of the caller's notifications read.";
            s.Responses[204] = "Marked read (or already read).";
            s.Responses[404] = "No such notification of the caller.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(MarkNotificationReadRequest req, CancellationToken ct) =>
        handler.MarkReadAsync(req, ct);
}
