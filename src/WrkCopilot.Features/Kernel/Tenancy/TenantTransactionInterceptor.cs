using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// The second wall: the first statement of every transaction sets <c>app.tenant_id</c> (and
/// <c>app.staff_read</c>) transaction-locally, so RLS policies see the tenant and no handler can forget.
/// Outside a transaction nothing is set and RLS returns no rows.
/// </summary>
internal sealed class TenantTransactionInterceptor : DbTransactionInterceptor
{
    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection,
        TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is AppDbContext db)
        {
            await ApplyAsync(connection, result, db.Tenant, cancellationToken);
        }
        return result;
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (eventData.Context is AppDbContext db)
        {
            ApplyAsync(connection, result, db.Tenant, CancellationToken.None).GetAwaiter().GetResult();
        }
        return result;
    }

    internal static async Task ApplyAsync(DbConnection connection, DbTransaction? transaction, TenantContext tenant, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT set_config('app.tenant_id', @tenant, true), set_config('app.staff_read', @staff, true)";
        var p1 = cmd.CreateParameter();
        p1.ParameterName = "tenant";
        p1.Value = tenant.TenantId?.ToString() ?? string.Empty;
        cmd.Parameters.Add(p1);
        var p2 = cmd.CreateParameter();
        p2.ParameterName = "staff";
        p2.Value = tenant.StaffRead ? "on" : "off";
        cmd.Parameters.Add(p2);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

public static class TenantDbExtensions
{
    /// <summary>Re-applies the tenant to the open transaction after the <see cref="TenantContext"/> changed (elevation, switch).</summary>
    public static async Task ApplyTenantAsync(this AppDbContext db, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction();
        if (tx is null)
        {
            return; // the next transaction will pick it up
        }
        await TenantTransactionInterceptor.ApplyAsync(db.Database.GetDbConnection(), tx, db.Tenant, ct);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction in <paramref name="tenantId"/>; commits unless it returns an error.</summary>
    public static async Task<T> InTenantAsync<T>(this AppDbContext db, Guid tenantId, Func<Task<T>> work, CancellationToken ct)
    {
        db.Tenant.Set(tenantId);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work();
        await tx.CommitAsync(ct);
        return result;
    }
}
