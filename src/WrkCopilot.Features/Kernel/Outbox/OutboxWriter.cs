using System.Diagnostics;
using System.Text.Json;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Outbox;

public static class Queues
{
    public const string BuildRequests = "build-requests";
    public const string AiIngestion = "ai-ingestion";
    public const string Notifications = "notifications";
    public const string UsageSync = "usage-sync";
}

/// <summary>
/// Background work starts as an outbox row in the same transaction as its cause: committed together
/// or not at all, and never lost if the process dies after the commit.
/// </summary>
public sealed class OutboxWriter(AppDbContext db, TenantContext tenant, TimeProvider clock)
{
    public OutboxMessage Enqueue(string queue, string type, object payload, TimeSpan? delay = null, int maxAttempts = 8)
    {
        var now = clock.GetUtcNow();
        var row = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenant.TenantId,
            Queue = queue,
            Type = type,
            Payload = JsonSerializer.SerializeToDocument(payload, JsonDefaults.Options),
            AvailableAt = now + (delay ?? TimeSpan.Zero),
            MaxAttempts = maxAttempts,
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
        };
        db.Outbox.Add(row);
        return row;
    }

    /// <summary>
    /// A notification event for <paramref name="audience"/>: one <c>notification</c> job whose worker writes the in-app rows and
    /// sends email and Slack where configured, once per (event, recipient, channel).
    /// </summary>
    public OutboxMessage Notify(string eventType, object data, NotificationAudience audience, string? title = null, string? body = null) =>
        Enqueue(Queues.Notifications, NotificationEvent.JobType, new NotificationEvent(eventType,
            title ?? NotificationEvent.DefaultTitle(eventType), body, audience,
            JsonSerializer.SerializeToElement(data, JsonDefaults.Options)));
}
