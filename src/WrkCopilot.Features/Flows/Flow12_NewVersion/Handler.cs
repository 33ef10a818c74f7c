using System.Text.Json;
using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow12_NewVersion;

/// <summary>Flow 12: a new version of an automation (blueprint copied, one pre-live version at a time), version lists, blueprint diffs.</summary>
internal sealed class VersionsHandler(AppDbContext db, ResourceScope scope, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<VersionCreated>> CreateAsync(CreateVersionRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automations", "automation", req.Id, ct))
        {
            return AppErrors.NotFound("Automation");
        }
        // Serialises version creation per automation, so two racing requests cannot both pass the pre-live check.
        var automation = await db.Automations
            .FromSql($"SELECT * FROM automations WHERE id = {req.Id} FOR UPDATE")
            .FirstOrDefaultAsync(ct);
        if (automation is null)
        {
            return AppErrors.NotFound("Automation");
        }
        if (automation.ArchivedAt is not null)
        {
            return AppErrors.Conflict("automation_archived", "The automation is archived; archived automations are read-only.");
        }
        var versions = await db.AutomationVersions.AsNoTracking().Where(v => v.AutomationId == automation.Id).WithoutBlueprint()
            .OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor).ToListAsync(ct);
        if (versions.Count > 0 && versions.All(v => v.Status == VersionStatuses.Archived))
        {
            return AppErrors.Conflict("automation_archived", "Every version of this automation is archived; archived automations are read-only.");
        }
        if (versions.FirstOrDefault(AutomationViews.IsPreLive) is { } open)
        {
            return AppErrors.Conflict("pre_live_version_exists",
                $"Version {open.Version} is still {open.Status}; an automation has at most one version before live.",
                new Dictionary<string, object> { ["automation_version_id"] = open.Id, ["current_status"] = open.Status });
        }
        // Numbers count from the highest version; the blueprint comes from the newest one still in use (an abandoned,
        // archived draft is not what a revision starts from).
        var highest = versions.FirstOrDefault();
        var source = versions.FirstOrDefault(v => v.Status != VersionStatuses.Archived) ?? highest;
        var (major, minor) = highest is null ? (1, 0)
            : req.Bump == "major" ? (highest.Major + 1, 0) : (highest.Major, highest.Minor + 1);
        var sourceBlueprint = source is null ? null : await db.AutomationVersions.AsNoTracking()
            .Where(v => v.Id == source.Id).Select(v => v.BlueprintJson).FirstAsync(ct);
        var now = clock.GetUtcNow();
        var version = new AutomationVersion
        {
            Id = Guid.CreateVersion7(), TenantId = automation.TenantId, AutomationId = automation.Id,
            Version = $"v{major}.{minor}", Major = major, Minor = minor, Notes = req.Notes,
            BlueprintJson = sourceBlueprint is null ? BlueprintSchema.Empty() : JsonDocument.Parse(sourceBlueprint.RootElement.GetRawText()),
            CreatedAt = now, UpdatedAt = now,
        };
        var previousProject = highest is null ? null : await db.Projects.AsNoTracking()
            .Where(p => p.AutomationVersionId == highest.Id).Select(p => new { p.ClientId, p.OwnerId }).FirstOrDefaultAsync(ct);
        var client = previousProject is null
            ? await db.Clients.AsNoTracking().Select(c => new { c.Id, c.OwnerId }).FirstOrDefaultAsync(ct)
            : null;
        var project = new Project
        {
            Id = Guid.CreateVersion7(), TenantId = automation.TenantId, ClientId = previousProject?.ClientId ?? client?.Id,
            AutomationId = automation.Id, AutomationVersionId = version.Id, Name = AutomationViews.ProjectName(automation.Name, version.Version),
            Type = "revision", OwnerId = previousProject?.OwnerId ?? client?.OwnerId, CreatedAt = now, UpdatedAt = now,
        };
        automation.UpdatedAt = now;
        db.AutomationVersions.Add(version);
        db.Projects.Add(project);
        audit.Record("version_created", "automation_version", version.Id, new
        {
            automation_id = automation.Id,
            version = version.Version,
            bump = req.Bump,
            copied_from = source?.Id,
            project_id = project.Id,
        });
        await db.SaveChangesAsync(ct);
        return new VersionCreated(VersionSummary.Of(version), project.Id, source?.Id);
    }

    public async Task<ErrorOr<Page<VersionSummary>>> ListAsync(ListVersionsRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automations", "automation", req.Id, ct) ||
            !await db.Automations.AnyAsync(a => a.Id == req.Id, ct))
        {
            return AppErrors.NotFound("Automation");
        }
        return await db.AutomationVersions.AsNoTracking().Where(v => v.AutomationId == req.Id).WithoutBlueprint()
            .ToPageAsync(req, v => v.CreatedAt, v => v.Id, VersionSummary.Of, ct);
    }

    public async Task<ErrorOr<BlueprintDiffView>> DiffAsync(DiffRequest req, CancellationToken ct)
    {
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var against = await db.AutomationVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == req.Against, ct);
        if (against is null)
        {
            return AppErrors.NotFound("The version to compare against ($.against)");
        }
        if (against.AutomationId != version.AutomationId)
        {
            return AppErrors.Validation("$.against", "Must be a version of the same automation.");
        }
        var diff = BlueprintDiff.Compare(against.BlueprintJson.RootElement, version.BlueprintJson.RootElement);
        return new BlueprintDiffView(version.Id, version.Version, against.Id, against.Version, diff.Added, diff.Removed, diff.Changed);
    }
}
