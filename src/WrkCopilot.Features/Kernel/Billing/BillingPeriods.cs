using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Pricing;

namespace WrkCopilot.Features.Kernel.Billing;

/// <summary>A billing period row as the admin API shows it.</summary>
public sealed record BillingPeriodView(
    Guid Id,
    Guid TenantId,
    string Period,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Status,
    string Currency,
    string TotalSpend,
    IReadOnlyList<BillingLine> Lines,
    DateTimeOffset? FinalizedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static BillingPeriodView Of(BillingPeriod p) => new(p.Id, p.TenantId, BillingMonth.Of(p.PeriodStart).ToString(), p.PeriodStart,
        p.PeriodEnd, p.Status, p.Currency, Money.Format(p.TotalSpend), BillingLine.Read(p.LinesJson), p.FinalizedAt, p.CreatedAt, p.UpdatedAt);
}

/// <summary>
/// The billing period rows of the unit of work's tenant (Flow 20): a draft is upserted with the live figures; finalising computes
/// them one last time and freezes them. A finalised row is never written again: finalising it again answers it unchanged.
/// </summary>
public sealed class BillingPeriods(AppDbContext db, BillingCalculator calculator, AuditTrail audit, OutboxWriter outbox, TimeProvider clock)
    : IHandler
{
    /// <summary>Creates or refreshes the tenant's draft for <paramref name="month"/>; a finalised period is returned as it is.</summary>
    public async Task<BillingPeriod> UpsertDraftAsync(Guid tenantId, BillingMonth month, CancellationToken ct)
    {
        await LockAsync(tenantId, ct);
        var now = clock.GetUtcNow();
        var row = await db.BillingPeriods.FirstOrDefaultAsync(p => p.PeriodStart == month.FirstDay, ct);
        if (row?.Status == BillingPeriodStatuses.Finalized)
        {
            return row;
        }
        var statement = await calculator.ComputeAsync(tenantId, month, ct);
        if (row is null)
        {
            row = new BillingPeriod
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, PeriodStart = month.FirstDay, PeriodEnd = month.LastDay,
                Status = BillingPeriodStatuses.Draft, CreatedAt = now,
            };
            db.BillingPeriods.Add(row);
        }
        row.Currency = statement.Currency;
        row.LinesJson = BillingLine.Write(statement.Lines);
        row.TotalSpend = Money.Amount(statement.Total);
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Finalises the tenant's period of <paramref name="month"/>: 409 <c>period_not_ended</c> while the month is not over; a period
    /// already finalised is returned unchanged (idempotent); otherwise the figures are computed, frozen, audited and the client's
    /// admins notified.
    /// </summary>
    public async Task<ErrorOr<BillingPeriod>> FinalizeAsync(Guid tenantId, BillingMonth month, CancellationToken ct)
    {
        await LockAsync(tenantId, ct);
        var existing = await db.BillingPeriods.AsNoTracking().FirstOrDefaultAsync(p => p.PeriodStart == month.FirstDay, ct);
        if (existing?.Status == BillingPeriodStatuses.Finalized)
        {
            return existing;
        }
        var now = clock.GetUtcNow();
        if (now < month.End)
        {
            return AppErrors.Conflict("period_not_ended", $"The period {month} ends at {month.End:O}; it can be finalised after that.");
        }
        var row = await UpsertDraftAsync(tenantId, month, ct);
        row.Status = BillingPeriodStatuses.Finalized;
        row.FinalizedAt = now;
        row.UpdatedAt = now;
        var lines = BillingLine.Read(row.LinesJson);
        audit.Record("billing_period_finalized", "billing_period", row.Id,
            new { period = month.ToString(), total_spend = Money.Format(row.TotalSpend), lines = lines.Count });
        if (lines.Count > 0)
        {
            outbox.Notify("billing_period.finalized",
                new { billing_period_id = row.Id, period = month.ToString(), total_spend = Money.Format(row.TotalSpend), currency = row.Currency },
                NotificationAudience.TenantAdmins(), $"Billing for {month} is final",
                $"Total {Money.Format(row.TotalSpend)} {row.Currency}.");
        }
        await db.SaveChangesAsync(ct);
        return row;
    }

    /// <summary>
    /// Serialises writers of one tenant's month (the schedule on several instances, an admin at the same time) until the
    /// transaction ends, so a period is computed and finalised once. Re-entrant within the transaction.
    /// </summary>
    // Per tenant, not per month: a period's adjustment lines read the other months' finalised lines, so two months of one
    // tenant computed at once could both bill the same late run.
    private async Task LockAsync(Guid tenantId, CancellationToken ct)
    {
        var key = $"billing:{tenantId:N}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
    }

    /// <summary>Flow 18: a finalised period frozen from its row, any other period computed live (an estimate).</summary>
    public async Task<BillingSummary> SummaryAsync(Guid tenantId, BillingMonth month, CancellationToken ct)
    {
        var row = await db.BillingPeriods.AsNoTracking().FirstOrDefaultAsync(p => p.PeriodStart == month.FirstDay, ct);
        var statement = row?.Status == BillingPeriodStatuses.Finalized
            ? new BillingStatement(month, row.Currency, BillingLine.Read(row.LinesJson))
            : await calculator.ComputeAsync(tenantId, month, ct);
        return BillingSummary.Of(tenantId, statement, row);
    }
}
