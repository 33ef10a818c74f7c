using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tasks;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow32_UpdateTaskStatus;

/// <summary>
/// Flow 32: the assignee, a client admin (client-visible tasks) or staff (in the task's own tenant) move a task to any status.
/// The row version guards racing writers (optional If-Match; a lost race is 409); the project's checklist_progress follows in
/// the same transaction; audited.
/// </summary>
internal sealed class UpdateTaskStatusHandler(AppDbContext db, CurrentSession session, StaffElevation elevation,
    ChecklistProgress checklist, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<TaskView>> UpdateAsync(UpdateTaskStatusRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        if (caller.IsStaff && await elevation.ElevateAsync("tasks", "task", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Task");
        }
        var task = await db.Tasks.FirstOrDefaultAsync(t => t.Id == req.Id, ct);
        // A staff-only task does not exist for a client session, whatever its assignee.
        if (task is null || (!caller.IsStaff && task.Visibility != Visibility.Client))
        {
            return AppErrors.NotFound("Task");
        }
        var allowed = caller.IsStaff || task.AssigneeId == caller.UserId || caller.Has(AppRoles.ClientAdmin);
        if (!allowed)
        {
            return AppErrors.Forbidden("Only the assignee, a client admin or staff may change this task's status.");
        }
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        if (expected.Value is { } versions && !versions.Contains(task.RowVersion))
        {
            return AppErrors.PreconditionFailed($"The task changed since it was read (row_version is now {task.RowVersion}).");
        }
        if (task.Status == req.Status)
        {
            return TaskView.From(task);
        }

        var from = task.Status;
        task.Status = req.Status;
        task.RowVersion++;
        task.UpdatedAt = clock.GetUtcNow();
        await checklist.UpdateForAsync(task, ct);
        audit.Record("task_status_changed", "task", task.Id, new { from, to = task.Status, kind = task.Kind });
        await db.SaveChangesAsync(ct);
        return TaskView.From(task);
    }
}
