using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Kernel.Events;

public static class StreamEventTypes
{
    public const string MessageCreated = "message.created";
    public const string TaskCreated = "task.created";
    public const string TaskUpdated = "task.updated";
    public const string NotificationCreated = "notification.created";
    public const string VersionStatusChanged = "version.status_changed";
}

/// <summary>
/// Turns the changes a unit of work saves into <c>stream_events</c> rows in the same transaction, so flows
/// need not know about the stream: an event exists exactly when its change commits. Within a transaction it
/// also takes a per-tenant advisory lock (events of one tenant then commit in id order, so a reader's
/// "id &gt; last" never skips a late commit) and queues a <c>pg_notify</c>, which PostgreSQL delivers on commit.
/// </summary>
internal sealed class StreamEventInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    public const string Channel = "wrk_stream";

    /// <summary>First key of the two-key advisory lock: this lock's namespace (the second is the tenant's hash).</summary>
    private const int LockNamespace = 0x5753_4556; // "WSEV"

    // Saves outside a transaction commit inside EF's own one: their notify must wait until it is done.
    private static readonly ConditionalWeakTable<DbContext, HashSet<Guid>> NotifyAfterSave = new();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is AppDbContext db)
        {
            await CaptureAsync(db, cancellationToken);
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is AppDbContext db)
        {
            CaptureAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        }
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is AppDbContext db && NotifyAfterSave.TryGetValue(db, out var tenants))
        {
            NotifyAfterSave.Remove(db);
            foreach (var tenant in tenants)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {tenant.ToString()})", cancellationToken);
            }
        }
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => NotifyAfterSave.Remove(eventData.Context!);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        NotifyAfterSave.Remove(eventData.Context!);
        return Task.CompletedTask;
    }

    private async Task CaptureAsync(AppDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow();
        var events = new List<StreamEvent>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (Describe(entry) is { } e)
            {
                e.CreatedAt = now;
                events.Add(e);
            }
        }
        if (events.Count == 0)
        {
            return;
        }
        var tenants = events.Select(e => e.TenantId).ToHashSet();
        if (db.Database.CurrentTransaction is not null)
        {
            foreach (var tenant in tenants)
            {
                var key = tenant.ToString();
                await db.Database.ExecuteSqlAsync(
                    $"SELECT pg_advisory_xact_lock({LockNamespace}, hashtext({key})), pg_notify({Channel}, {key})", ct);
            }
        }
        else
        {
            NotifyAfterSave.AddOrUpdate(db, tenants);
        }
        db.StreamEvents.AddRange(events);
    }

    private static StreamEvent? Describe(EntityEntry entry) => entry.Entity switch
    {
        Message m when entry.State == EntityState.Added => New(m.TenantId, StreamEventTypes.MessageCreated,
            // An internal note is staff-only whatever its visibility column says.
            m.Type == "internal_note" ? Visibility.Staff : m.Visibility, null,
            new { m.Id, m.ProjectId, m.AutomationVersionId, m.Type, m.SenderId, m.Text, m.CreatedAt }),
        TaskItem t when entry.State is EntityState.Added or EntityState.Modified => New(t.TenantId,
            entry.State == EntityState.Added ? StreamEventTypes.TaskCreated : StreamEventTypes.TaskUpdated, t.Visibility, null,
            new { t.Id, t.ContextType, t.ContextId, t.Kind, t.Title, t.Status, t.AssigneeId, t.Priority, t.DueDate }),
        Notification n when entry.State == EntityState.Added && n.Channel == "in_app" => New(n.TenantId,
            StreamEventTypes.NotificationCreated, Visibility.Client, n.UserId, new { n.Id, n.EventType, n.Title, n.Body, n.CreatedAt }),
        AutomationVersion v when entry.State == EntityState.Modified && StatusChange(entry) is { } from => New(v.TenantId,
            StreamEventTypes.VersionStatusChanged, Visibility.Client, null,
            new { v.Id, v.AutomationId, v.Version, From = from, To = v.Status }),
        _ => null,
    };

    private static string? StatusChange(EntityEntry entry)
    {
        var status = entry.Property(nameof(AutomationVersion.Status));
        return status.IsModified && !Equals(status.OriginalValue, status.CurrentValue) ? (string?)status.OriginalValue : null;
    }

    private static StreamEvent New(Guid tenantId, string type, string visibility, Guid? userId, object data) => new()
    {
        TenantId = tenantId,
        Type = type,
        Visibility = visibility,
        UserId = userId,
        Data = JsonSerializer.SerializeToDocument(data, JsonDefaults.Options),
    };
}
