using Microsoft.EntityFrameworkCore;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Hosting;

/// <summary>
/// <c>dotnet run --project src/WrkCopilot -- migrate</c> and
/// <c>… -- seed-operator --email … --password … [--name …] [--workspace …]</c>.
/// </summary>
internal static class Commands
{
    public static async Task<int> RunAsync(string command, string[] args, WebApplication app, LocalPostgres? local)
    {
        switch (command)
        {
            case "migrate":
                return await MigrateAsync(app);
            case "seed-operator":
                return await SeedOperatorAsync(args, app);
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: migrate, seed-operator.");
                return 2;
        }
    }

    private static async Task<int> MigrateAsync(WebApplication app)
    {
        var config = app.Configuration;
        var owner = config.GetConnectionString("Migrations") ?? config.GetConnectionString("Default")!;
        var appUser = new NpgsqlConnectionStringBuilder(config.GetConnectionString("Default")).Username;
        try
        {
            await DatabaseMigrator.MigrateAsync(owner, appUser, app.Logger);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        app.Logger.LogInformation("Migrations applied");
        return 0;
    }

    private static async Task<int> SeedOperatorAsync(string[] args, WebApplication app)
    {
        string? Arg(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var email = Arg("--email");
        var password = Arg("--password") ?? Environment.GetEnvironmentVariable("WRK_SEED_PASSWORD");
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            await Console.Error.WriteLineAsync("Usage: seed-operator --email <email> --password <password> [--name <name>] [--workspace <name>] (or WRK_SEED_PASSWORD)");
            return 2;
        }
        if (PasswordPolicy.Check(password) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return 2;
        }
        using var scope = app.Services.CreateScope();
        var seeder = scope.ServiceProvider.GetRequiredService<OperatorSeeder>();
        var result = await seeder.SeedAsync(email, password, Arg("--name") ?? "WRK Admin", Arg("--workspace") ?? "WRK", CancellationToken.None);
        Console.WriteLine(result);
        return 0;
    }
}
