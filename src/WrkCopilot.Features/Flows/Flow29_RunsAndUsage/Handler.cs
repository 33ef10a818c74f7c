using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Pricing;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow29_RunsAndUsage;

/// <summary>Flow 29: a version's binding, runs and usage; the tenant's alert thresholds and alerts. All within the caller's tenant.</summary>
internal sealed class RunsAndUsageHandler(AppDbContext db, TenantContext tenant, CurrentSession session, TimeProvider clock) : IHandler
{
    private Task<bool> VersionExistsAsync(Guid id, CancellationToken ct) => db.AutomationVersions.AnyAsync(v => v.Id == id, ct);

    public async Task<ErrorOr<WorkflowBindingView>> BindingAsync(Guid versionId, CancellationToken ct)
    {
        if (!await VersionExistsAsync(versionId, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        var b = await db.WorkflowBindings.AsNoTracking().FirstOrDefaultAsync(x => x.AutomationVersionId == versionId, ct);
        return b is null
            ? AppErrors.NotFound("Workflow binding")
            : new WorkflowBindingView(b.Id, b.AutomationVersionId, b.WrkWorkflowId, b.WrkWorkflowUrl, b.Status, b.LastError, b.CreatedAt, b.UpdatedAt);
    }

    public async Task<ErrorOr<Page<RunView>>> RunsAsync(ListRunsRequest req, CancellationToken ct)
    {
        if (!await VersionExistsAsync(req.Id, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        var query = db.RunEvents.AsNoTracking().Where(r => r.AutomationVersionId == req.Id);
        if (req.Status is not null)
        {
            query = query.Where(r => r.Status == req.Status);
        }
        if (req.From is { } from)
        {
            var f = from.ToUniversalTime();
            query = query.Where(r => r.StartedAt >= f);
        }
        if (req.To is { } to)
        {
            var t = to.ToUniversalTime();
            query = query.Where(r => r.StartedAt < t);
        }
        // Newest started first, keyset on (started_at, id).
        return await query.ToPageAsync(req, r => r.StartedAt, r => r.Id, r => new RunView(r.Id, r.RunId, r.Status, r.StartedAt, r.CompletedAt,
            r.ErrorMessage, r.Cost is { } c ? Money.FormatUnitPrice(c) : null, r.MetadataJson.RootElement.Clone(), r.UpdatedAt), ct);
    }

    public async Task<ErrorOr<UsageView>> UsageAsync(UsageRequest req, CancellationToken ct)
    {
        if (!await VersionExistsAsync(req.Id, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        var granularity = req.Granularity ?? "day";
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = req.From ?? (granularity == "day" ? today.AddDays(-89) : new DateOnly(today.Year, today.Month, 1).AddMonths(-23));
        var to = req.To ?? today;
        var periods = await db.UsageAggregates.AsNoTracking()
            .Where(u => u.AutomationVersionId == req.Id && u.Granularity == granularity && u.PeriodEnd >= from && u.PeriodStart <= to)
            .OrderBy(u => u.PeriodStart)
            .Take(1000)
            .Select(u => new { u.PeriodStart, u.PeriodEnd, u.RunCount, u.SuccessCount, u.FailureCount, u.TotalCost })
            .ToListAsync(ct);
        return new UsageView(req.Id, granularity, periods
            .Select(p => new UsagePeriodView(p.PeriodStart, p.PeriodEnd, p.RunCount, p.SuccessCount, p.FailureCount, Money.FormatUnitPrice(p.TotalCost)))
            .ToList());
    }

    public async Task<ErrorOr<AlertThresholdsView>> ThresholdsAsync(CancellationToken ct) =>
        View(await db.AlertThresholds.AsNoTracking().FirstOrDefaultAsync(ct));

    /// <summary>Replaces the thresholds: a field left out or null turns that check off.</summary>
    public async Task<ErrorOr<AlertThresholdsView>> PutThresholdsAsync(PutAlertThresholdsRequest req, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var row = await db.AlertThresholds.FirstOrDefaultAsync(ct);
        if (row is null)
        {
            row = new AlertThreshold { Id = Guid.CreateVersion7(), TenantId = tenant.TenantId!.Value, CreatedAt = now };
            db.AlertThresholds.Add(row);
        }
        row.FailureRatePct = req.FailureRatePct;
        row.WindowRuns = req.WindowRuns;
        row.VolumePctOfCommitted = req.VolumePctOfCommitted;
        row.MonthlyBudget = req.MonthlyBudget is null ? null : decimal.Parse(req.MonthlyBudget, System.Globalization.CultureInfo.InvariantCulture);
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return View(row);
    }

    public async Task<ErrorOr<Page<AlertView>>> AlertsAsync(ListAlertsRequest req, CancellationToken ct)
    {
        var query = db.Alerts.AsNoTracking();
        if (req.Status is not null)
        {
            query = query.Where(a => a.Status == req.Status);
        }
        return await query.ToPageAsync(req, a => a.CreatedAt, a => a.Id, ToView, ct);
    }

    /// <summary>Acknowledges an open alert; acknowledging twice keeps the first acknowledgement.</summary>
    public async Task<ErrorOr<AlertView>> AckAsync(Guid id, CancellationToken ct)
    {
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (alert is null)
        {
            return AppErrors.NotFound("Alert");
        }
        if (alert.Status == "open")
        {
            alert.Status = "acknowledged";
            alert.AcknowledgedAt = clock.GetUtcNow();
            alert.AcknowledgedById = session.Required.UserId;
            await db.SaveChangesAsync(ct);
        }
        return ToView(alert);
    }

    private static AlertView ToView(Alert a) => new(a.Id, a.Kind, a.AutomationVersionId, a.PeriodKey, a.Status, a.Message,
        a.Value is { } v ? v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : null, a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedById);

    private static AlertThresholdsView View(AlertThreshold? t) => t is null
        ? new AlertThresholdsView(null, null, null, null, null)
        : new AlertThresholdsView(t.FailureRatePct, t.WindowRuns, t.VolumePctOfCommitted,
            t.MonthlyBudget is { } b ? Money.Format(b) : null, t.UpdatedAt);
}
