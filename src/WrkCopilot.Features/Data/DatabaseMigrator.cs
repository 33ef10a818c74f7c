using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Data;

/// <summary>
/// Applies migrations as the owner role, then grants the app role exactly what it needs: DML on the
/// tables (no UPDATE/DELETE on audit_logs), EXECUTE on the SECURITY DEFINER lookups. The app role
/// owns nothing and has no BYPASSRLS, so the RLS policies apply to it.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(string ownerConnectionString, string? appRole, ILogger logger, CancellationToken ct = default)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql(ownerConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .Options;
        await using (var db = new AppDbContext(options, new TenantContext()))
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
            logger.LogInformation("Database migrated ({Count} pending applied)", pending.Count);
        }
        if (string.IsNullOrEmpty(appRole))
        {
            return;
        }
        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString).Username;
        if (string.Equals(owner, appRole, StringComparison.Ordinal))
        {
            // The tables are migrated, but the app must not run as their owner: RLS does not apply to owners.
            throw new InvalidOperationException(
                $"The app role '{appRole}' is the migration owner: set ConnectionStrings:Migrations to the owner role and " +
                "ConnectionStrings:Default to a separate role without BYPASSRLS, so that row-level security applies.");
        }
        await using var conn = new NpgsqlConnection(ownerConnectionString);
        await conn.OpenAsync(ct);
        var role = new NpgsqlCommandBuilder().QuoteIdentifier(appRole);
        await using var cmd = new NpgsqlCommand(
            $"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_logs FROM {role};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __ef_migrations_history FROM {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role};
            """, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
