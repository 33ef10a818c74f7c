using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WrkCopilot.Features.Data;

/// <summary>
/// Refuses to start when the app's database role would make row-level security a no-op: a superuser, a
/// role with BYPASSRLS, or the owner of a table (owners skip policies). The tenancy's second wall is only
/// real when this holds, so it is checked, not assumed.
/// </summary>
internal sealed class DatabaseRoleGuard(NpgsqlDataSource dataSource, ILogger<DatabaseRoleGuard> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await ProblemAsync(dataSource, cancellationToken) is { } problem)
        {
            logger.LogCritical("Refusing to start: {Problem}", problem);
            throw new InvalidOperationException(problem);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task<string?> ProblemAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT r.rolname, r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = r.rolname)
            FROM pg_roles r WHERE r.rolname = current_user
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (role, super, bypass, owned) = (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetInt64(3));
        return super || bypass || owned > 0
            ? $"the app connects as '{role}', which is {(super ? "a superuser" : bypass ? "a BYPASSRLS role" : $"the owner of {owned} tables")}: " +
              "row-level security would not apply. Connect ConnectionStrings:Default as a role without these powers and " +
              "run migrations as the owner through ConnectionStrings:Migrations (see README, Migrations)."
            : null;
    }
}
