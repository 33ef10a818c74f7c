using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace WrkCopilot.Features.Data;

/// <summary>
/// Plain SQL on the unit of work's own connection and transaction (so the tenant set by the interceptor applies), for the
/// few statements EF cannot express: upserts whose WHERE decides, <c>FOR UPDATE SKIP LOCKED</c> claims with RETURNING.
/// </summary>
internal static class AppDbCommands
{
    public static NpgsqlCommand Command(this AppDbContext db, string sql, params (string Name, object? Value)[] args)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("Plain SQL runs inside the unit of work's transaction.");
        var cmd = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection(), tx);
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return cmd;
    }
}
