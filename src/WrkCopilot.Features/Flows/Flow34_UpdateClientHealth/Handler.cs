using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tasks;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

/// <summary>
/// Flow 34: staff change a client's health (and nothing else). A worsening raises a staff-only
/// <c>client_retention</c> task for the client's owner and a notification event, in the same transaction.
/// </summary>
internal sealed class UpdateClientHealthHandler(AppDbContext db, CurrentSession current, StaffElevation elevation, AuditTrail audit,
    OutboxWriter outbox, TaskWriter tasks, TimeProvider clock) : IHandler
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
            // A client name has at most 200 characters, so the title fits.
            task = tasks.Create(new NewTask(TaskContextTypes.Client, client.Id, TaskKinds.ClientRetention,
                $"Retention: {client.Name} moved from {from} to {to}", Visibility.Staff, client.OwnerId,
                to == "churn_risk" ? "high" : "medium", reason, CreatedById: current.Required.UserId));
            // Staff-facing: the client's own users are not told their health score.
            outbox.Notify(HealthWorsenedEvent,
                new { client_id = client.Id, client.TenantId, client.Name, from, to, reason, owner_id = client.OwnerId, task_id = task.Id },
                client.OwnerId is { } owner ? NotificationAudience.User(owner, staffOnly: true) : NotificationAudience.Staff(),
                $"{client.Name}: health {from} → {to}", reason);
        }
        audit.Record("client_health_changed", "client", client.Id, new { from, to, reason, retention_task_id = task?.Id });
        await db.SaveChangesAsync(ct);
        return View(client, task?.Id);
    }

    private static ClientHealthView View(Client c, Guid? taskId) =>
        new(c.Id, c.TenantId, c.Name, c.HealthStatus, c.HealthReason, c.OwnerId, taskId, c.UpdatedAt);
}
