using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

/// <summary>
/// Flow 34: staff change a client's health (and nothing else). A worsening raises a staff-only
/// <c>client_retention</c> task for the client's owner and a notification event, in the same transaction.
/// </summary>
internal sealed class UpdateClientHealthHandler(AppDbContext db, CurrentSession current, StaffElevation elevation, AuditTrail audit,
    OutboxWriter outbox, TimeProvider clock) : IHandler
{
    public const string HealthWorsenedEvent = "client_health_worsened";

    public async Task<ErrorOr<ClientHealthView>> UpdateAsync(UpdateClientHealthRequest req, CancellationToken ct)
    {
        // The client row lives in the client's tenant: act there, with the staff user as actor.
        if (await elevation.ElevateAsync("clients", "client", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Client");
        }
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Id == req.Id, ct);
        if (client is null)
        {
            return AppErrors.NotFound("Client");
        }
        var from = client.HealthStatus;
        var to = req.HealthStatus;
        var reason = req.Reason.Trim();
        if (from == to && reason == client.HealthReason)
        {
            return View(client, null); // nothing changes, nothing to record
        }
        var now = clock.GetUtcNow();
        client.HealthStatus = to;
        client.HealthReason = reason;
        client.UpdatedAt = now;

        TaskItem? task = null;
        if (HealthLevels.Rank(to) > HealthLevels.Rank(from))
        {
            task = RetentionTask(client, from, to, reason, now);
            db.Tasks.Add(task);
            outbox.Notify(HealthWorsenedEvent, new
            {
                client_id = client.Id, client.TenantId, client.Name, from, to, reason, owner_id = client.OwnerId, task_id = task.Id,
                // Staff-facing: the client's own users are not told their health score.
                audience = Visibility.Staff,
                recipient_user_ids = client.OwnerId is { } owner ? new[] { owner } : [],
            });
        }
        audit.Record("client_health_changed", "client", client.Id, new { from, to, reason, retention_task_id = task?.Id });
        await db.SaveChangesAsync(ct);
        return View(client, task?.Id);
    }

    // The shared task writer (Flow 31) will own this; until then the row is written here with Flow 31's shape.
    private TaskItem RetentionTask(Client client, string from, string to, string reason, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = client.TenantId,
        ContextType = "client",
        ContextId = client.Id,
        Kind = "client_retention",
        // A client name has at most 200 characters, so this fits the title's 300.
        Title = $"Retention: {client.Name} moved from {from} to {to}",
        Description = reason,
        Visibility = Visibility.Staff,
        AssigneeId = client.OwnerId,
        Priority = to == "churn_risk" ? "high" : "medium",
        CreatedById = current.Required.UserId,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private static ClientHealthView View(Client c, Guid? taskId) =>
        new(c.Id, c.TenantId, c.Name, c.HealthStatus, c.HealthReason, c.OwnerId, taskId, c.UpdatedAt);
}
