using System.Diagnostics;
using Npgsql;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Hosting;

/// <summary>The README's commands, run as the real host process against a test database (<c>openapi</c>: against none).</summary>
public sealed class CommandTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static async Task<(int Code, string Output)> RunHostAsync(string ownerConnection, string appConnection, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "WrkCopilot.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["ConnectionStrings__Default"] = appConnection;
        psi.Environment["ConnectionStrings__Migrations"] = ownerConnection;
        psi.Environment["Auth__PasswordIterations"] = "1000";
        psi.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Seed_operator_creates_the_operator_tenant_and_its_admin_once()
    {
        var email = Identities.NewEmail("ops");
        var (code, output) = await RunHostAsync(app.OwnerConnectionString, app.AppConnectionString,
            "seed-operator", "--email", email, "--password", Identities.Password);
        Assert.True(code == 0, output);
        var again = await RunHostAsync(app.OwnerConnectionString, app.AppConnectionString,
            "seed-operator", "--email", email, "--password", Identities.Password);
        Assert.True(again.Code == 0, again.Output);

        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tenants WHERE kind = 'operator'"));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id WHERE u.email = @e AND t.kind = 'operator' AND m.roles = ARRAY['admin']",
            ("e", email)));
        // The seeded admin can log in and is staff.
        var staff = await app.LoginAsync(email);
        var (status, me) = await app.MeAsync(staff.AccessToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal("operator", me.GetProperty("data").GetProperty("memberships")[0].GetProperty("tenant_kind").GetString());
    }

    [Theory]
    [InlineData("--email", "ops@wrk.test")]
    [InlineData("--email", "ops@wrk.test", "--password", "short")]
    public async Task Seed_operator_never_falls_back_to_a_default_or_weak_password(params string[] args)
    {
        var (code, _) = await RunHostAsync(app.OwnerConnectionString, app.AppConnectionString, ["seed-operator", .. args]);
        Assert.Equal(2, code);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM users WHERE email = 'ops@wrk.test'"));
    }

    [Fact]
    public async Task Openapi_writes_the_served_document_without_a_database()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wrk-openapi-{Guid.NewGuid():N}.json");
        try
        {
            // Nothing listens there: the command must not need the database.
            const string nowhere = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1";
            var (code, output) = await RunHostAsync(nowhere, nowhere, "openapi", path);
            Assert.True(code == 0, output);
            using var written = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(path));
            using var client = app.Client();
            var served = await (await client.GetAsync("/swagger/v1/swagger.json")).ReadAsync();

            var paths = written.RootElement.GetProperty("paths").EnumerateObject().ToList();
            Assert.True(paths.Count >= 60, $"only {paths.Count} paths written");
            foreach (var p in paths)
            {
                Assert.True(System.Text.Json.JsonElement.DeepEquals(p.Value, served.GetProperty("paths").GetProperty(p.Name)),
                    $"{p.Name} is written differently from the served document");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Migrate_refuses_when_the_app_would_connect_as_the_owner()
    {
        var (code, output) = await RunHostAsync(app.OwnerConnectionString, app.OwnerConnectionString, "migrate");
        Assert.Equal(2, code);
        Assert.Contains("row-level security applies", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_applies_migrations_to_an_empty_database_and_grants_the_app_role()
    {
        var name = $"migrate_{Guid.NewGuid():N}";
        await using (var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.OwnerConnectionString) { Database = "postgres" }.ConnectionString))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await create.ExecuteNonQueryAsync();
        }
        var owner = new NpgsqlConnectionStringBuilder(app.OwnerConnectionString) { Database = name }.ConnectionString;
        var appRole = new NpgsqlConnectionStringBuilder(app.AppConnectionString) { Database = name }.ConnectionString;

        var (code, output) = await RunHostAsync(owner, appRole, "migrate");

        Assert.True(code == 0, output);
        await using var check = new NpgsqlConnection(appRole);
        await check.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM __ef_migrations_history", check);
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 2);
        await using var rls = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relname = 'automations' AND relrowsecurity", check);
        Assert.Equal(1L, (long)(await rls.ExecuteScalarAsync())!);
    }
}
