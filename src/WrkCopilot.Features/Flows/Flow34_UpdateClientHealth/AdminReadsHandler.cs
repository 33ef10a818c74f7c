using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

/// <summary>The ops console's cross-tenant reads (flows.md lists them under Flow 34): the project pipeline and the audit log.</summary>
internal sealed class AdminReadsHandler(AppDbContext db, StaffReads staffReads) : IHandler
{
    public async Task<ErrorOr<Page<AdminProjectItem>>> ListProjectsAsync(ListProjectsRequest req, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        var query = db.Projects.AsNoTracking();
        if (req.Status is { } status)
        {
            query = query.Where(p => p.Status == status);
        }
        if (req.PricingStatus is { } pricing)
        {
            query = query.Where(p => p.PricingStatus == pricing);
        }
        if (req.OwnerId is { } owner)
        {
            query = query.Where(p => p.OwnerId == owner);
        }
        if (req.ClientId is { } client)
        {
            query = query.Where(p => p.ClientId == client);
        }
        return await query.ToPageAsync(req, p => p.CreatedAt, p => p.Id, p => new AdminProjectItem(
            p.Id, p.TenantId, p.ClientId, p.AutomationId, p.AutomationVersionId, p.Name, p.Type, p.Status, p.PricingStatus, p.OwnerId,
            p.Eta, p.ChecklistProgress, p.CreatedAt, p.UpdatedAt), ct);
    }

    public async Task<ErrorOr<AdminProjectDetail>> GetProjectAsync(Guid id, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        var detail = await (
                from p in db.Projects.AsNoTracking()
                where p.Id == id
                join t in db.Tenants on p.TenantId equals t.Id
                join a in db.Automations on new { p.TenantId, Id = p.AutomationId } equals new { a.TenantId, a.Id }
                join v in db.AutomationVersions on new { p.TenantId, Id = p.AutomationVersionId } equals new { v.TenantId, v.Id }
                select new AdminProjectDetail(
                    p.Id, p.TenantId, t.Name, p.ClientId,
                    db.Clients.Where(c => c.TenantId == p.TenantId && c.Id == p.ClientId).Select(c => c.Name).FirstOrDefault(),
                    p.AutomationId, a.Name, p.AutomationVersionId, v.Version, p.Name, p.Type, p.Status, p.PricingStatus, p.OwnerId, p.Eta,
                    p.ChecklistProgress,
                    db.Tasks.Count(k => k.TenantId == p.TenantId && k.ContextType == "project" && k.ContextId == p.Id &&
                                        (k.Status == "todo" || k.Status == "in_progress" || k.Status == "blocked")),
                    p.CreatedAt, p.UpdatedAt))
            .FirstOrDefaultAsync(ct);
        return detail is null ? AppErrors.NotFound("Project") : detail;
    }

    public async Task<ErrorOr<Page<AuditLogItem>>> ListAuditLogsAsync(ListAuditLogsRequest req, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        return await AuditLogQuery.Filter(db.AuditLogs.AsNoTracking(), req).ToPageAsync(req, a => a.CreatedAt, a => a.Id, AuditLogQuery.Item, ct);
    }
}

internal static class AuditLogQuery
{
    public static IQueryable<AuditLog> Filter(IQueryable<AuditLog> query, IAuditLogFilter f)
    {
        if (f.TenantId is { } tenant)
        {
            query = query.Where(a => a.TenantId == tenant);
        }
        if (f.Actor is { } actor)
        {
            query = query.Where(a => a.UserId == actor);
        }
        if (f.Action is { } action)
        {
            query = query.Where(a => a.ActionType == action);
        }
        if (f.ResourceType is { } resourceType)
        {
            query = query.Where(a => a.ResourceType == resourceType);
        }
        if (f.ResourceId is { } resourceId)
        {
            query = query.Where(a => a.ResourceId == resourceId);
        }
        // timestamptz parameters must be UTC (Npgsql refuses other offsets).
        if (f.From is { } from)
        {
            var utc = from.ToUniversalTime();
            query = query.Where(a => a.CreatedAt >= utc);
        }
        if (f.To is { } to)
        {
            var utc = to.ToUniversalTime();
            query = query.Where(a => a.CreatedAt < utc);
        }
        return query;
    }

    public static AuditLogItem Item(AuditLog a)
    {
        var item = new AuditLogItem(a.Id, a.TenantId, a.UserId, a.ActionType, a.ResourceType, a.ResourceId, a.MetadataJson.RootElement.Clone(),
            a.RequestId, a.CreatedAt);
        a.MetadataJson.Dispose();
        return item;
    }
}
