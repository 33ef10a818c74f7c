using Microsoft.EntityFrameworkCore;
using NSwag.Generation;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Hosting;

/// <summary>
/// <c>dotnet run --project src/WrkCopilot -- migrate</c> and
/// <c>… -- seed-operator --email … --password … [--name …] [--workspace …]</c> and
/// <c>… -- openapi &lt;path&gt;</c> (writes the OpenAPI document the running app serves at /swagger/v1/swagger.json; no database).
/// </summary>
internal static class Commands
{
    /// <summary>Describes the endpoints only: needs no database and calls nothing.</summary>
    public const string OpenApiCommand = "openapi";

    /// <summary>
    /// For <see cref="OpenApiCommand"/>: the endpoints are constructed to be described, never run. So the host is not
    /// "Production" (whose start checks want signing keys and a real WRK Platform), and its connection string is never
    /// opened (nor a local cluster started for it).
    /// </summary>
    public static WebApplicationBuilder DescribeOnlyBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = "OpenApi" });
        builder.Configuration["ConnectionStrings:Default"] = "Host=localhost;Database=unused";
        builder.Configuration["Serilog:MinimumLevel:Default"] = "Error";
        return builder;
    }

    public static async Task<int> RunAsync(string command, string[] args, WebApplication app, LocalPostgres? local)
    {
        switch (command)
        {
            case "migrate":
                return await MigrateAsync(app);
            case "seed-operator":
                return await SeedOperatorAsync(args, app);
            case OpenApiCommand:
                return await WriteOpenApiAsync(args, app);
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: migrate, seed-operator, openapi.");
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

    private static async Task<int> WriteOpenApiAsync(string[] args, WebApplication app)
    {
        var i = Array.IndexOf(args, OpenApiCommand);
        var path = i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (string.IsNullOrWhiteSpace(path))
        {
            await Console.Error.WriteLineAsync("Usage: openapi <path>");
            return 2;
        }
        // Maps the endpoints exactly as the running app does. The host is never started, so the endpoints are handed to
        // routing (which the API explorer reads) here rather than when the started host builds its pipeline.
        app.UseWrkCopilot();
        app.UseRouting();
        app.UseEndpoints(_ => { });
        var document = await app.Services.GetRequiredService<IOpenApiDocumentGenerator>().GenerateAsync("v1");
        await File.WriteAllTextAsync(path, document.ToJson());
        return 0;
    }
}
