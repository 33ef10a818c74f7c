using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server per test run: a throwaway cluster started from the machine's binaries, or the
/// server named by <c>WRK_TEST_DATABASE_URL</c> (a superuser connection string). Migrations are applied
/// once to a template database; each test class gets its own database cloned from it (≈ 0.1 s), dropped
/// when the class's app is disposed. Names carry the pid and a random suffix, so runs sharing one server
/// (or a recycled pid) never collide. On a <c>WRK_TEST_DATABASE_URL</c> server the per-run template is left
/// behind (a few MB): dropping a shared one would break a concurrent run, and the last user is not known.
/// </summary>
public static class PostgresServer
{
    public const string AppRole = "wrk_app_test";
    public const string AppPassword = "wrk_app_test";
    private static readonly string RunId = $"{Environment.ProcessId}_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
    private static readonly string Template = $"wrk_template_{RunId}";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static LocalPostgres? _cluster;
    private static string? _adminConnection;
    private static int _counter;

    private static async Task<string> AdminConnectionAsync()
    {
        if (_adminConnection is not null)
        {
            return _adminConnection;
        }
        await Gate.WaitAsync();
        try
        {
            if (_adminConnection is not null)
            {
                return _adminConnection;
            }
            var url = Environment.GetEnvironmentVariable("WRK_TEST_DATABASE_URL");
            string admin;
            if (!string.IsNullOrWhiteSpace(url))
            {
                admin = url;
            }
            else
            {
                _cluster = await LocalPostgres.StartEphemeralAsync();
                admin = _cluster.ConnectionString("postgres");
            }
            await using (var conn = new NpgsqlConnection(admin))
            {
                await conn.OpenAsync();
                await Exec(conn, $"""
                    DO $$ BEGIN
                      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppRole}') THEN
                        CREATE ROLE {AppRole} LOGIN PASSWORD '{AppPassword}' NOSUPERUSER NOBYPASSRLS;
                      END IF;
                    END $$;
                    """);
                await Exec(conn, $"DROP DATABASE IF EXISTS {Template}");
                await Exec(conn, $"CREATE DATABASE {Template}");
            }
            var template = new NpgsqlConnectionStringBuilder(admin) { Database = Template, Pooling = false }.ConnectionString;
            await DatabaseMigrator.MigrateAsync(template, AppRole, NullLogger.Instance);
            _adminConnection = admin;
            return admin;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A fresh, migrated database: (owner connection string, app-role connection string).</summary>
    public static async Task<(string Owner, string App)> CreateDatabaseAsync(string hint)
    {
        var admin = await AdminConnectionAsync();
        var name = $"t{Interlocked.Increment(ref _counter)}_{new string(hint.ToLowerInvariant().Where(char.IsLetterOrDigit).Take(30).ToArray())}_{RunId}";
        await Gate.WaitAsync();
        try
        {
            await using var conn = new NpgsqlConnection(admin);
            await conn.OpenAsync();
            await Exec(conn, $"CREATE DATABASE {name} TEMPLATE {Template}");
        }
        finally
        {
            Gate.Release();
        }
        var owner = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(admin) { Database = name, Username = AppRole, Password = AppPassword, MaxPoolSize = 20 }.ConnectionString;
        return (owner, app);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing any connection still open on it.</summary>
    public static async Task DropDatabaseAsync(string name)
    {
        var admin = await AdminConnectionAsync();
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await Exec(conn, $"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)");
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
