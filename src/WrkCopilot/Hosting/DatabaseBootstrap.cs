using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Hosting;

/// <summary>
/// Decides where the database is. With <c>ConnectionStrings:Default</c> configured nothing happens here
/// (migrations are an explicit <c>migrate</c> step). Without it, a local cluster is started under
/// <c>LocalDatabase:DataDirectory</c>, the non-owner app role is created, migrations are applied, and
/// the connection strings are set for the rest of the host.
/// </summary>
internal static class DatabaseBootstrap
{
    public const string AppRole = "wrk_app";
    public const string DatabaseName = "wrk_copilot";

    public static async Task<LocalPostgres?> PrepareAsync(IConfiguration config, string? command, IHostEnvironment env)
    {
        if (!string.IsNullOrWhiteSpace(config.GetConnectionString("Default")))
        {
            return null;
        }
        var dataDir = config["LocalDatabase:DataDirectory"] is { Length: > 0 } d ? d : DefaultDataDirectory();
        var port = int.TryParse(config["LocalDatabase:Port"], out var p) ? p : 55432;
        var pg = await LocalPostgres.StartPersistentAsync(dataDir, port);
        // A local-only password for a role that listens on loopback/socket; not a deployed secret.
        var appPassword = config["LocalDatabase:AppPassword"] is { Length: > 0 } pw ? pw : "wrk_app_local";
        await pg.CreateDatabaseAsync(DatabaseName, AppRole, appPassword);
        var owner = pg.ConnectionString(DatabaseName);
        await DatabaseMigrator.MigrateAsync(owner, AppRole, NullLogger.Instance);
        var app = new NpgsqlConnectionStringBuilder(pg.ConnectionString(DatabaseName, AppRole, appPassword)) { MaxPoolSize = 16 }.ConnectionString;
        config["ConnectionStrings:Default"] = app;
        config["ConnectionStrings:Migrations"] = owner;
        return pg;
    }

    private static string DefaultDataDirectory() => Environment.UserName == "root"
        ? "/var/lib/wrk-copilot/postgres"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "wrk-copilot", "postgres");
}
