using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Flows.Flow33_CreateClient;

/// <summary>
/// Flow 33: staff link a client workspace to a commercial client record (1:1), and read clients across tenants.
/// The client row lives in the client's own tenant; its audit row goes there with the staff user as actor.
/// </summary>
internal sealed class ClientsHandler(AppDbContext db, CurrentSession current, TenantContext tenant, StaffReads staffReads,
    AuditTrail audit, TimeProvider clock) : IHandler
{
    public const int MaxProjects = 100;

    public async Task<ErrorOr<ClientView>> CreateAsync(CreateClientRequest req, CancellationToken ct)
    {
        var session = current.Required;
        var target = await db.Tenants.AsNoTracking().Where(t => t.Id == req.TenantId).Select(t => new { t.Id, t.Kind }).FirstOrDefaultAsync(ct);
        if (target is null)
        {
            return AppErrors.Validation("$.tenant_id", "No workspace has this id.");
        }
        if (target.Kind != TenantKinds.Client)
        {
            return AppErrors.Validation("$.tenant_id", "Only a client workspace can be linked to a client.");
        }
        // Still in the operator tenant: the owner must be one of its members (staff).
        var ownerId = req.OwnerId!.Value;
        if (!await db.Memberships.AnyAsync(m => m.TenantId == session.TenantId && m.UserId == ownerId, ct))
        {
            return AppErrors.Validation("$.owner_id", "The owner must be a member of the operator workspace.");
        }

        tenant.Set(target.Id);
        await db.ApplyTenantAsync(ct);
        if (await db.Clients.AnyAsync(c => c.TenantId == target.Id, ct))
        {
            return AppErrors.Conflict("client_exists", "This workspace is already linked to a client.");
        }
        var now = clock.GetUtcNow();
        var client = new Client
        {
            Id = Guid.CreateVersion7(),
            TenantId = target.Id,
            Name = req.Name.Trim(),
            Industry = string.IsNullOrWhiteSpace(req.Industry) ? null : req.Industry.Trim(),
            OwnerId = ownerId,
            CommittedMonthlySpend = Money.TryParseAmount(req.CommittedMonthlySpend, out var spend) ? spend : 0m,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Clients.Add(client);
        audit.Record("client_created", "client", client.Id, new
        {
            client.Name, client.Industry, owner_id = ownerId, committed_monthly_spend = Money.Format(client.CommittedMonthlySpend),
        });
        await db.SaveChangesAsync(ct);
        var figures = await FiguresAsync([client.TenantId], ct);
        return View(client, figures);
    }

    public async Task<ErrorOr<Page<ClientView>>> ListAsync(ListClientsRequest req, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        var query = db.Clients.AsNoTracking();
        if (req.Health is { } health)
        {
            query = query.Where(c => c.HealthStatus == health);
        }
        if (req.OwnerId is { } owner)
        {
            query = query.Where(c => c.OwnerId == owner);
        }
        if (!string.IsNullOrWhiteSpace(req.Q))
        {
            var pattern = "%" + req.Q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(c => EF.Functions.ILike(c.Name, pattern, "\\"));
        }
        var page = await query.ToPageAsync(req, c => c.CreatedAt, c => c.Id, c => c, ct);
        if (page.IsError)
        {
            return page.Errors;
        }
        var figures = await FiguresAsync(page.Value.Items.Select(c => c.TenantId).ToList(), ct);
        return new Page<ClientView>(page.Value.Items.Select(c => View(c, figures)).ToList(), page.Value.NextCursor, page.Value.Limit);
    }

    public async Task<ErrorOr<ClientDetail>> GetAsync(Guid id, CancellationToken ct)
    {
        await staffReads.EnableAsync(ct);
        var client = await db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
        {
            return AppErrors.NotFound("Client");
        }
        var projects = await db.Projects.AsNoTracking()
            .Where(p => p.TenantId == client.TenantId)
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Take(MaxProjects)
            .Select(p => new ClientProject(p.Id, p.AutomationId, p.AutomationVersionId, p.Name, p.Type, p.Status, p.PricingStatus,
                p.OwnerId, p.Eta, p.ChecklistProgress, p.CreatedAt))
            .ToListAsync(ct);
        var figures = await FiguresAsync([client.TenantId], ct);
        var v = View(client, figures);
        return new ClientDetail(v.Id, v.TenantId, v.Name, v.Industry, v.HealthStatus, v.HealthReason, v.OwnerId, v.CommittedMonthlySpend,
            v.SpendThisPeriod, v.OpenAlerts, projects, v.CreatedAt, v.UpdatedAt);
    }

    private sealed record Figures(IReadOnlyDictionary<Guid, decimal> Spend, IReadOnlyDictionary<Guid, int> OpenAlerts);

    /// <summary>
    /// Spend this period per tenant: the current UTC month's usage cost. A version's month aggregate is used when
    /// there is one, its day aggregates otherwise, so the two granularities are never counted twice.
    /// </summary>
    private async Task<Figures> FiguresAsync(IReadOnlyList<Guid> tenantIds, CancellationToken ct)
    {
        if (tenantIds.Count == 0)
        {
            return new Figures(new Dictionary<Guid, decimal>(), new Dictionary<Guid, int>());
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var start = new DateOnly(now.Year, now.Month, 1);
        var end = start.AddMonths(1);
        var spend = await db.UsageAggregates.AsNoTracking()
            .Where(u => tenantIds.Contains(u.TenantId) && u.PeriodStart >= start && u.PeriodStart < end &&
                        (u.Granularity == "month" || (u.Granularity == "day" && !db.UsageAggregates.Any(m =>
                            m.TenantId == u.TenantId && m.AutomationVersionId == u.AutomationVersionId &&
                            m.Granularity == "month" && m.PeriodStart == start))))
            .GroupBy(u => u.TenantId)
            .Select(g => new { TenantId = g.Key, Total = g.Sum(u => u.TotalCost) })
            .ToDictionaryAsync(x => x.TenantId, x => x.Total, ct);
        var alerts = await db.Alerts.AsNoTracking()
            .Where(a => tenantIds.Contains(a.TenantId) && a.Status == "open")
            .GroupBy(a => a.TenantId)
            .Select(g => new { TenantId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.TenantId, x => x.Count, ct);
        return new Figures(spend, alerts);
    }

    private static ClientView View(Client c, Figures figures) => new(
        c.Id, c.TenantId, c.Name, c.Industry, c.HealthStatus, c.HealthReason, c.OwnerId, Money.Format(c.CommittedMonthlySpend),
        Money.Format(figures.Spend.GetValueOrDefault(c.TenantId)), figures.OpenAlerts.GetValueOrDefault(c.TenantId),
        c.CreatedAt, c.UpdatedAt);
}
