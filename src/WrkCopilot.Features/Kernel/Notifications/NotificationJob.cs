using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Integrations.Slack;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Notifications;

/// <summary>
/// The notification worker: resolves an event's recipients, writes one in-app row per recipient and sends email and
/// Slack where configured. Each (event, recipient, channel) is one <c>notifications</c> row (event_id = the outbox row,
/// unique), inserted first and idempotently; a send is claimed by setting <c>sent_at</c> in its own committed transaction
/// before the send, so a retried or concurrent run never sends twice (at most once per channel, see ADR 0008). A send
/// that certainly failed (an error answer, refused connection, mail not configured) releases its claim and the job retries;
/// one whose outcome is unknown (timeout, cancellation) stays claimed and is logged, never resent.
/// </summary>
internal sealed class NotificationJob(AppDbContext db, IMailSender mail, SlackWebhookClient slack, TimeProvider clock,
    ILogger<NotificationJob> logger) : IJobHandler
{
    public string Type => NotificationEvent.JobType;

    public async Task HandleAsync(JobContext job, CancellationToken ct)
    {
        var ev = job.PayloadAs<NotificationEvent>();
        var operatorTenant = await db.Tenants.AsNoTracking().Where(t => t.Kind == TenantKinds.Operator)
            .OrderBy(t => t.CreatedAt).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct);
        var resolved = await ResolveAsync(ev.Audience, job.TenantId, operatorTenant, ct);
        if (resolved is not { } recipients)
        {
            logger.LogInformation("Notification {Event} ({JobId}) has no recipient tenant; nothing to deliver", ev.Event, job.Id);
            return;
        }
        var (tenantId, userIds) = recipients;
        if (ev.Audience.ExceptUserId is { } except)
        {
            userIds.Remove(except);
        }

        var pending = await db.InTenantAsync(tenantId, async () =>
        {
            var now = clock.GetUtcNow();
            var data = ev.Data.ValueKind == JsonValueKind.Undefined ? "{}" : ev.Data.GetRawText();
            foreach (var userId in userIds)
            {
                await InAppAsync(job.Id, tenantId, userId, ev, data, now, ct);
                await InsertAsync(job.Id, tenantId, userId, NotificationChannels.Email, ev, data, null, now, ct);
            }
            var webhook = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.SlackWebhookUrl).FirstOrDefaultAsync(ct);
            if (string.IsNullOrWhiteSpace(webhook))
            {
                logger.LogInformation("Slack not configured for tenant {TenantId}; skipped notification {Event}", tenantId, ev.Event);
            }
            else
            {
                await InsertAsync(job.Id, tenantId, null, NotificationChannels.Slack, ev, data, null, now, ct);
            }
            var sends = await db.Notifications.AsNoTracking()
                .Where(n => n.EventId == job.Id && n.Channel != NotificationChannels.InApp && n.SentAt == null)
                .Select(n => new PendingSend(n.Id, n.Channel, n.UserId))
                .ToListAsync(ct);
            var emails = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, ct);
            return (sends, emails, webhook);
        }, ct);

        Exception? failure = null;
        foreach (var send in pending.sends)
        {
            if (!await ClaimAsync(tenantId, send.Id, ct))
            {
                continue; // sent (or being sent) by an earlier or concurrent run
            }
            try
            {
                var sent = send.Channel switch
                {
                    NotificationChannels.Email when send.UserId is { } uid && pending.emails.TryGetValue(uid, out var to) =>
                        await mail.SendAsync(new EmailMessage(to, ev.Title, ev.Body ?? ev.Title), ct),
                    NotificationChannels.Slack when !string.IsNullOrWhiteSpace(pending.webhook) =>
                        await PostSlackAsync(pending.webhook, ev, ct),
                    _ => false,
                };
                if (!sent)
                {
                    await ReleaseAsync(tenantId, send.Id, ct); // not configured: skipped (logged by the sender), nothing went out
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                logger.LogWarning(ex, "Notification {Event} ({JobId}) on {Channel}: outcome unknown; not resent so that it is never sent twice",
                    ev.Event, job.Id, send.Channel);
            }
            catch (Exception ex)
            {
                await ReleaseAsync(tenantId, send.Id, CancellationToken.None);
                logger.LogWarning(ex, "Notification {Event} ({JobId}) on {Channel} failed; the job will retry it", ev.Event, job.Id, send.Channel);
                failure ??= ex;
            }
        }
        if (failure is not null)
        {
            throw new InvalidOperationException($"A notification channel failed: {failure.Message}", failure);
        }
    }

    private async Task<bool> PostSlackAsync(string webhook, NotificationEvent ev, CancellationToken ct)
    {
        await slack.PostAsync(webhook, ev.Body is null ? ev.Title : $"{ev.Title}\n{ev.Body}", ct);
        return true;
    }

    private sealed record PendingSend(Guid Id, string Channel, Guid? UserId);

    private async Task<(Guid TenantId, HashSet<Guid> UserIds)?> ResolveAsync(NotificationAudience audience, Guid? eventTenant,
        Guid? operatorTenant, CancellationToken ct)
    {
        var staffTenant = eventTenant is { } e && e == operatorTenant;
        switch (audience.Kind)
        {
            case AudienceKinds.Staff:
                return operatorTenant is { } op ? (op, await MembersAsync(op, adminsOnly: false, ct)) : null;
            case AudienceKinds.TenantAdmins or AudienceKinds.TenantUsers:
                if (eventTenant is not { } t || (audience.StaffOnly && !staffTenant))
                {
                    return null;
                }
                return (t, await MembersAsync(t, audience.Kind == AudienceKinds.TenantAdmins, ct));
            case AudienceKinds.User when audience.UserId is { } userId:
                if (eventTenant is { } home && (!audience.StaffOnly || staffTenant) && await IsMemberAsync(home, userId, ct))
                {
                    return (home, [userId]);
                }
                if (operatorTenant is { } staff && await IsMemberAsync(staff, userId, ct))
                {
                    return (staff, [userId]);
                }
                return null;
            default:
                throw new PermanentJobFailure($"Unknown notification audience '{audience.Kind}'.");
        }
    }

    private Task<HashSet<Guid>> MembersAsync(Guid tenantId, bool adminsOnly, CancellationToken ct) => db.InTenantAsync(tenantId, async () =>
        (await db.Memberships.AsNoTracking().Where(m => !adminsOnly || m.Roles.Contains("admin")).Select(m => m.UserId).ToListAsync(ct)).ToHashSet(), ct);

    private Task<bool> IsMemberAsync(Guid tenantId, Guid userId, CancellationToken ct) =>
        db.InTenantAsync(tenantId, () => db.Memberships.AnyAsync(m => m.UserId == userId, ct), ct);

    // Through EF, not raw SQL, so that the event stream's interceptor sees it: the user's open Studio gets it at once. The
    // existence check is enough for idempotency (one runner holds the job's lease); a race would hit the unique index and retry.
    private async Task InAppAsync(Guid eventId, Guid tenantId, Guid userId, NotificationEvent ev, string data, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await db.Notifications.AnyAsync(n => n.EventId == eventId && n.UserId == userId && n.Channel == NotificationChannels.InApp, ct))
        {
            return;
        }
        db.Notifications.Add(new Notification
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, UserId = userId, EventType = ev.Event, EventId = eventId,
            Channel = NotificationChannels.InApp, Title = ev.Title, Body = ev.Body, DataJson = JsonDocument.Parse(data), SentAt = now,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
    }

    private Task<int> InsertAsync(Guid eventId, Guid tenantId, Guid? userId, string channel, NotificationEvent ev, string data,
        DateTimeOffset? sentAt, DateTimeOffset now, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO notifications (id, tenant_id, user_id, event_type, event_id, channel, title, body, data_json, sent_at, created_at)
            VALUES ({Guid.CreateVersion7()}, {tenantId}, {userId}, {ev.Event}, {eventId}, {channel}, {ev.Title}, {ev.Body},
                    CAST({data} AS jsonb), {sentAt}, {now})
            ON CONFLICT DO NOTHING
            """, ct);

    private Task<bool> ClaimAsync(Guid tenantId, Guid id, CancellationToken ct) => db.InTenantAsync(tenantId, async () =>
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE notifications SET sent_at = {clock.GetUtcNow()} WHERE id = {id} AND sent_at IS NULL", ct) == 1, ct);

    private Task<int> ReleaseAsync(Guid tenantId, Guid id, CancellationToken ct) => db.InTenantAsync(tenantId, () =>
        db.Database.ExecuteSqlInterpolatedAsync($"UPDATE notifications SET sent_at = NULL WHERE id = {id}", ct), ct);
}
