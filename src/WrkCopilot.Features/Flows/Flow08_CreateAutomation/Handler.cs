using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow08_CreateAutomation;

/// <summary>Flow 8: create an automation with its first version and project; list and read automations.</summary>
internal sealed class AutomationsHandler(AppDbContext db, CurrentSession session, TenantContext tenant, AuditTrail audit,
    AutomationViews views, ResourceScope scope, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<AutomationCreated>> CreateAsync(CreateAutomationRequest req, CancellationToken ct)
    {
        var caller = session.Required;
        var tenantId = tenant.TenantId!.Value;
        var ownerId = req.OwnerId ?? (caller.IsApiKey ? null : caller.UserId);
        if (req.OwnerId is { } requested && !await db.Memberships.AnyAsync(m => m.UserId == requested, ct))
        {
            return AppErrors.NotFound("Owner (a member of this workspace)");
        }
        var now = clock.GetUtcNow();
        var automation = new Automation
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, Name = req.Name.Trim(), Description = req.Description,
            Department = string.IsNullOrWhiteSpace(req.Department) ? null : req.Department.Trim(), OwnerId = ownerId,
            CreatedAt = now, UpdatedAt = now,
        };
        var version = new AutomationVersion
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, AutomationId = automation.Id, Version = "v1.0", Major = 1, Minor = 0,
            BlueprintJson = BlueprintSchema.Empty(), CreatedAt = now, UpdatedAt = now,
        };
        // The ops owner of the client account (when WRK has linked this workspace as a client) owns its projects.
        var client = await db.Clients.AsNoTracking().Select(c => new { c.Id, c.OwnerId }).FirstOrDefaultAsync(ct);
        var project = new Project
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, ClientId = client?.Id, AutomationId = automation.Id,
            AutomationVersionId = version.Id, Name = AutomationViews.ProjectName(automation.Name, version.Version), Type = "new_automation",
            OwnerId = client?.OwnerId, CreatedAt = now, UpdatedAt = now,
        };
        db.Automations.Add(automation);
        db.AutomationVersions.Add(version);
        db.Projects.Add(project);
        audit.Record("automation_created", "automation", automation.Id, new
        {
            name = automation.Name,
            department = automation.Department,
            owner_id = ownerId,
            automation_version_id = version.Id,
            project_id = project.Id,
        });
        await db.SaveChangesAsync(ct);
        return new AutomationCreated(AutomationViews.Of(automation, [version]), VersionSummary.Of(version), project.Id);
    }

    public async Task<ErrorOr<Page<AutomationView>>> ListAsync(ListAutomationsRequest req, CancellationToken ct)
    {
        var query = db.Automations.AsNoTracking();
        if (req.IncludeArchived != true && req.Status != VersionStatuses.Archived)
        {
            // Archived: archived as a whole (Flow 35), or every version archived one by one.
            query = query.Where(a => a.ArchivedAt == null &&
                                     db.AutomationVersions.Any(v => v.AutomationId == a.Id && v.Status != VersionStatuses.Archived));
        }
        if (req.Department is { Length: > 0 } department)
        {
            query = query.Where(a => a.Department == department);
        }
        if (req.Q is { Length: > 0 } q)
        {
            var pattern = "%" + q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(a => EF.Functions.ILike(a.Name, pattern, "\\"));
        }
        if (req.Status == VersionStatuses.Archived)
        {
            query = query.Where(a => !db.AutomationVersions.Any(v => v.AutomationId == a.Id && v.Status != VersionStatuses.Archived));
        }
        else if (req.Status is { } status)
        {
            query = query.Where(a => db.AutomationVersions
                .Where(v => v.AutomationId == a.Id && v.Status != VersionStatuses.Archived)
                .OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor)
                .Select(v => v.Status).FirstOrDefault() == status);
        }
        var page = await query.ToPageAsync(req, a => a.CreatedAt, a => a.Id, a => a, ct);
        if (page.IsError)
        {
            return page.Errors;
        }
        var items = await views.OfAsync(page.Value.Items, ct);
        return new Page<AutomationView>(items, page.Value.NextCursor, page.Value.Limit);
    }

    public async Task<ErrorOr<AutomationView>> GetAsync(GetAutomationRequest req, CancellationToken ct)
    {
        var automation = await scope.AutomationAsync(req.Id, ct);
        return automation is null ? AppErrors.NotFound("Automation") : await views.OfAsync(automation, ct);
    }
}
