using Npgsql;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Tenancy;

/// <summary>An app connected as the table owner would skip every RLS policy: it must refuse to start.</summary>
public sealed class OwnerConnectedApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("ConnectionStrings:Default", OwnerConnectionString)];
}

public sealed class DatabaseRoleTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task The_app_refuses_to_start_as_a_role_that_bypasses_rls()
    {
        await using var owner = new OwnerConnectedApp();
        await owner.InitializeAsync();

        var error = Assert.Throws<InvalidOperationException>(() => owner.Server);

        Assert.Contains("row-level security would not apply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_app_role_may_call_the_security_definer_lookups()
    {
        var outsider = $"outsider_{Guid.NewGuid():N}"[..20];
        await app.ExecuteAsync($"CREATE ROLE {outsider} LOGIN PASSWORD 'outsider'");
        var asOutsider = new NpgsqlConnectionStringBuilder(app.AppConnectionString) { Username = outsider, Password = "outsider", Pooling = false }.ConnectionString;
        await using var conn = new NpgsqlConnection(asOutsider);
        await conn.OpenAsync();

        foreach (var call in new[]
                 {
                     $"SELECT * FROM app_user_memberships('{Guid.NewGuid()}')",
                     $"SELECT app_resource_tenant('automations', '{Guid.NewGuid()}')",
                     "SELECT * FROM app_workflow_binding('wf')",
                 })
        {
            await using var cmd = new NpgsqlCommand(call, conn);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteScalarAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }

        await using var asApp = new NpgsqlConnection(app.AppConnectionString);
        await asApp.OpenAsync();
        await using var allowed = new NpgsqlCommand($"SELECT count(*) FROM app_user_memberships('{Guid.NewGuid()}')", asApp);
        Assert.Equal(0L, await allowed.ExecuteScalarAsync());
    }
}
