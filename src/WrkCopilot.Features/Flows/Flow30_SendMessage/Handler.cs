using System.Text.Json;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow30_SendMessage;

/// <summary>
/// Flow 30: messages on a project or a version. Clients write <c>client</c> messages, staff <c>ops</c> messages and internal
/// notes (in the resource's own tenant), flows write <c>system</c> ones. Internal notes are <c>visibility = staff</c> and every
/// read a client session makes filters them out in the query itself, so no list, search or count can reach them.
/// </summary>
internal sealed class MessagesHandler(AppDbContext db, CurrentSession session, StaffElevation elevation, OutboxWriter outbox,
    TimeProvider clock) : IHandler
{
    public const string MessageCreated = "message.created";
    private const int NotificationExcerpt = 280;

    public async Task<ErrorOr<MessageView>> SendAsync(SendMessageRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        if (caller.IsStaff ? req.Type == MessageTypes.Client : req.Type != MessageTypes.Client)
        {
            return AppErrors.Forbidden(caller.IsStaff
                ? "Staff send ops messages or internal notes."
                : "Clients send client messages only.");
        }

        Guid? projectId = null;
        Guid? versionId = null;
        if (req.ProjectId is { } pid)
        {
            if ((caller.IsStaff && await elevation.ElevateAsync("projects", "project", pid, ct) is null) ||
                !await db.Projects.AnyAsync(p => p.Id == pid, ct))
            {
                return AppErrors.NotFound("Project");
            }
            projectId = pid;
        }
        else if (req.AutomationVersionId is { } vid)
        {
            if ((caller.IsStaff && await elevation.ElevateAsync("automation_versions", "automation_version", vid, ct) is null) ||
                !await db.AutomationVersions.AnyAsync(v => v.Id == vid, ct))
            {
                return AppErrors.NotFound("Automation version");
            }
            versionId = vid;
        }

        var attachments = await ResolveAttachmentsAsync(req.Attachments ?? [], ct);
        if (attachments.IsError)
        {
            return attachments.Errors;
        }

        var internalNote = req.Type == MessageTypes.InternalNote;
        var message = new Message
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            AutomationVersionId = versionId,
            Type = req.Type,
            Visibility = internalNote ? Visibility.Staff : Visibility.Client,
            SenderId = caller.UserId,
            Text = req.Text,
            AttachmentsJson = JsonSerializer.SerializeToDocument(attachments.Value, JsonDefaults.Options),
            Tags = (req.Tags ?? []).Select(t => t.Trim()).Distinct(StringComparer.Ordinal).ToList(),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Messages.Add(message);

        // The other side: staff hear from clients; clients hear staff's ops messages; internal notes stay with staff.
        var audience = req.Type == MessageTypes.Ops
            ? NotificationAudience.TenantUsers(except: caller.UserId)
            : NotificationAudience.Staff(except: caller.UserId);
        outbox.Notify(MessageCreated,
            new { message_id = message.Id, project_id = projectId, automation_version_id = versionId, type = message.Type },
            audience,
            title: internalNote ? "New internal note" : "New message",
            body: TextLimits.Shorten(message.Text, NotificationExcerpt, "…"));

        await db.SaveChangesAsync(ct);
        return ToView(message);
    }

    public async Task<ErrorOr<Page<MessageView>>> ListForProjectAsync(ListProjectMessagesRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        if (caller.IsStaff && await elevation.ElevateAsync("projects", "project", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Project");
        }
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == req.Id)
            .Select(p => new { p.Id, p.AutomationVersionId }).FirstOrDefaultAsync(ct);
        if (project is null)
        {
            return AppErrors.NotFound("Project");
        }
        var query = db.Messages.AsNoTracking()
            .Where(m => m.ProjectId == project.Id || m.AutomationVersionId == project.AutomationVersionId);
        return await VisibleTo(caller, query, req.Q).ToPageAsync(req, m => m.CreatedAt, m => m.Id, ToView, ct);
    }

    public async Task<ErrorOr<Page<MessageView>>> ListForAutomationAsync(ListAutomationMessagesRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        if (caller.IsStaff && await elevation.ElevateAsync("automations", "automation", req.Id, ct) is null)
        {
            return AppErrors.NotFound("Automation");
        }
        if (!await db.Automations.AnyAsync(a => a.Id == req.Id, ct))
        {
            return AppErrors.NotFound("Automation");
        }
        var projects = db.Projects.Where(p => p.AutomationId == req.Id).Select(p => (Guid?)p.Id);
        var versions = db.AutomationVersions.Where(v => v.AutomationId == req.Id).Select(v => (Guid?)v.Id);
        var query = db.Messages.AsNoTracking()
            .Where(m => projects.Contains(m.ProjectId) || versions.Contains(m.AutomationVersionId));
        return await VisibleTo(caller, query, req.Q).ToPageAsync(req, m => m.CreatedAt, m => m.Id, ToView, ct);
    }

    /// <summary>The one place a client's reads lose staff-only rows: applied before search, paging or counting.</summary>
    private static IQueryable<Message> VisibleTo(AuthenticatedSession caller, IQueryable<Message> query, string? search)
    {
        if (!caller.IsStaff)
        {
            query = query.Where(m => m.Visibility == Visibility.Client);
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(m => EF.Functions.ILike(m.Text, pattern));
        }
        return query;
    }

    private async Task<ErrorOr<List<AttachmentView>>> ResolveAttachmentsAsync(List<AttachmentReference> references, CancellationToken ct)
    {
        var ids = references.Select(r => r.ArtifactId!.Value).Distinct().ToList();
        var found = await db.RequirementArtifacts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.SizeBytes), ct);
        var errors = references
            .Select((r, i) => (r, i))
            .Where(x => !found.ContainsKey(x.r.ArtifactId!.Value))
            .Select(x => AppErrors.Validation($"$.attachments[{x.i}].artifact_id", "No such requirement artifact in this workspace."))
            .ToList();
        if (errors.Count > 0)
        {
            return errors;
        }
        return references.Select(r => found[r.ArtifactId!.Value]).ToList();
    }

    private static MessageView ToView(Message m) => new(m.Id, m.ProjectId, m.AutomationVersionId, m.Type, m.Visibility, m.SenderId,
        m.Text, m.AttachmentsJson.Deserialize<List<AttachmentView>>(JsonDefaults.Options) ?? [], m.Tags, m.CreatedAt);
}
