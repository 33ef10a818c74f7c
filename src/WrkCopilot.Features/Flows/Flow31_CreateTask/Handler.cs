using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tasks;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow31_CreateTask;

/// <summary>
/// Flow 31: staff create a task in the tenant of its context (read from the context row, never from the request); tasks are
/// listed in the caller's tenant (clients never see staff-only ones) and, for staff, across tenants.
/// </summary>
internal sealed class TasksHandler(AppDbContext db, CurrentSession session, StaffElevation elevation, StaffReads staffReads, TaskWriter writer,
    ChecklistProgress checklist, AuditTrail audit, OutboxWriter outbox) : IHandler
{
    public const string TaskAssigned = "task.assigned";

    public async Task<ErrorOr<TaskView>> CreateAsync(CreateTaskRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        var contextId = req.ContextId!.Value;
        var (table, name) = req.ContextType switch
        {
            TaskContextTypes.Project => ("projects", "Project"),
            TaskContextTypes.AutomationVersion => ("automation_versions", "Automation version"),
            _ => ("clients", "Client"),
        };
        if (await elevation.ElevateAsync(table, req.ContextType, contextId, ct) is null)
        {
            return AppErrors.NotFound(name);
        }

        if (req.AssigneeId is { } assigneeId)
        {
            // A member of the context's tenant, or staff. A staff-only task never goes to a client user: it would reach them.
            var memberHere = await db.Memberships.AnyAsync(m => m.UserId == assigneeId, ct);
            var clientTenant = await db.Tenants.AnyAsync(t => t.Id == db.Tenant.TenantId && t.Kind == TenantKinds.Client, ct);
            var staff = (await db.UserMembershipsAsync(assigneeId, ct)).Exists(m => m.TenantKind == TenantKinds.Operator);
            if (!memberHere && !staff)
            {
                return AppErrors.NotFound("Assignee");
            }
            if (req.Visibility == Visibility.Staff && !staff && clientTenant)
            {
                return AppErrors.Validation("$.assignee_id", "A staff-only task cannot be assigned to a client user.");
            }
        }

        var task = writer.Create(new NewTask(req.ContextType, contextId, req.Kind, req.Title.Trim(), req.Visibility,
            req.AssigneeId, req.Priority, req.Description, req.DueDate, caller.UserId));
        await checklist.UpdateForAsync(task, ct);
        audit.Record("task_created", "task", task.Id, new
        {
            kind = task.Kind, visibility = task.Visibility, context_type = task.ContextType, context_id = task.ContextId,
            assignee_id = task.AssigneeId,
        });
        if (task.AssigneeId is { } assignee)
        {
            outbox.Notify(TaskAssigned, new { task_id = task.Id, kind = task.Kind, context_type = task.ContextType, context_id = task.ContextId },
                NotificationAudience.User(assignee, staffOnly: task.Visibility == Visibility.Staff) with { ExceptUserId = caller.UserId },
                title: $"Task assigned to you: {task.Title}");
        }
        await db.SaveChangesAsync(ct);
        return TaskView.From(task);
    }

    public Task<ErrorOr<Page<TaskView>>> ListAsync(ListTasksRequest req, CancellationToken ct)
    {
        var query = Filter(db.Tasks.AsNoTracking(), req);
        if (!session.Required.IsStaff)
        {
            query = query.Where(t => t.Visibility == Visibility.Client);
        }
        return query.ToPageAsync(req, t => t.CreatedAt, t => t.Id, TaskView.From, ct);
    }

    public async Task<ErrorOr<Page<TaskView>>> ListAcrossTenantsAsync(AdminListTasksRequest req, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        var query = Filter(db.Tasks.AsNoTracking(), req);
        if (req.TenantId is { } tenantId)
        {
            query = query.Where(t => t.TenantId == tenantId);
        }
        if (req.Visibility is { } visibility)
        {
            query = query.Where(t => t.Visibility == visibility);
        }
        return await query.ToPageAsync(req, t => t.CreatedAt, t => t.Id, TaskView.From, ct);
    }

    private static IQueryable<TaskItem> Filter(IQueryable<TaskItem> query, ListTasksRequest req)
    {
        if (req.Status is { } status)
        {
            query = query.Where(t => t.Status == status);
        }
        if (req.AssigneeId is { } assignee)
        {
            query = query.Where(t => t.AssigneeId == assignee);
        }
        if (req.ContextType is { } contextType)
        {
            query = query.Where(t => t.ContextType == contextType);
        }
        if (req.ContextId is { } contextId)
        {
            query = query.Where(t => t.ContextId == contextId);
        }
        if (req.Kind is { } kind)
        {
            query = query.Where(t => t.Kind == kind);
        }
        return query;
    }
}
