using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Npgsql;
using WrkCopilot.Tests.Flows.Flow08_CreateAutomation;
using WrkCopilot.Tests.Infrastructure;
using WrkCopilot.Tests.Kernel.Events;
using WrkCopilot.Tests.Kernel.Tenancy;

namespace WrkCopilot.Tests.Topology;

/// <summary>The tenancy walls' tests rerun with the app behind PgBouncer in transaction pooling mode.</summary>
public sealed class TenancyWallsThroughPgBouncerTests(PgBouncerApp app) : TenancyWallContract(app), IClassFixture<PgBouncerApp>;

/// <summary>The unit of work's tests rerun with the app behind PgBouncer in transaction pooling mode.</summary>
public sealed class UnitOfWorkThroughPgBouncerTests(PgBouncerApp app) : UnitOfWorkContract(app), IClassFixture<PgBouncerApp>;

/// <summary>Flow 8's list and read tests (tenant isolation, staff elevation) rerun behind PgBouncer in transaction pooling mode.</summary>
public sealed class ListAutomationsThroughPgBouncerTests(PgBouncerApp app) : ListAutomationsContract(app), IClassFixture<PgBouncerApp>;

/// <summary>
/// Behind PgBouncer with its LISTEN session direct (<c>ConnectionStrings:Listen</c>), and a keep-alive far longer than a
/// stream read's timeout, so that an event only arrives in time if a notification woke its stream.
/// </summary>
public sealed class PgBouncerStreamApp : PgBouncerApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [.. base.Settings(), new("Events:KeepAlive", "00:10:00")];
}

/// <summary>The event stream's tests rerun behind PgBouncer: wake-ups still arrive, each workspace still sees only its own events.</summary>
public sealed class EventStreamThroughPgBouncerTests(PgBouncerStreamApp app) : EventStreamContract(app), IClassFixture<PgBouncerStreamApp>;

/// <summary>What each server connection of one database's PgBouncer pool carries, read by pinning all of them at once.</summary>
internal static class PooledServers
{
    public sealed record Server(int BackendPid, string? TenantId, string? StaffRead);

    /// <summary>
    /// Opens <see cref="PgBouncerServer.PoolSize"/> transactions through PgBouncer side by side: each pins its own server
    /// connection until it ends, so together they read every server connection of the pool (<paramref name="perServer"/> runs
    /// in each, inside its transaction).
    /// </summary>
    public static async Task<IReadOnlyList<Server>> EachAsync(string routedConnectionString, string? perServer = null)
    {
        var cs = new NpgsqlConnectionStringBuilder(routedConnectionString) { Pooling = false }.ConnectionString;
        var open = new List<(NpgsqlConnection Conn, NpgsqlTransaction Tx)>();
        var servers = new List<Server>();
        try
        {
            for (var i = 0; i < PgBouncerServer.PoolSize; i++)
            {
                var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync();
                var tx = await conn.BeginTransactionAsync();
                open.Add((conn, tx));
                await using var cmd = new NpgsqlCommand(
                    "SELECT pg_backend_pid(), current_setting('app.tenant_id', true), current_setting('app.staff_read', true)", conn, tx);
                await using (var r = await cmd.ExecuteReaderAsync())
                {
                    await r.ReadAsync();
                    servers.Add(new Server(r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
                }
                if (perServer is not null)
                {
                    await using var extra = new NpgsqlCommand(perServer, conn, tx);
                    await extra.ExecuteNonQueryAsync();
                }
            }
            foreach (var (_, tx) in open)
            {
                await tx.CommitAsync();
            }
            return servers;
        }
        finally
        {
            foreach (var (conn, tx) in open)
            {
                await tx.DisposeAsync();
                await conn.DisposeAsync();
            }
        }
    }
}

/// <summary>
/// ADR 0002's design under pooling: the tenant is set with <c>set_config(..., true)</c> inside each request's transaction, so
/// behind PgBouncer in transaction mode, where server connections pass from client to client with nothing reset, no tenant
/// survives into another request's connection. Many interleaved requests of two tenants (and staff elevated into one of them)
/// on more clients than the pool has server connections each see only their own rows; afterwards no server connection of
/// the pool carries a tenant.
/// </summary>
public sealed class PooledTenantSettingTests(PgBouncerApp app) : IClassFixture<PgBouncerApp>
{
    private const int Workers = 16;
    private const int RequestsPerWorker = 8;

    [Fact]
    public async Task Interleaved_requests_of_two_tenants_on_shared_server_connections_see_only_their_own_rows_and_leave_no_tenant_behind()
    {
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var staff = await app.StaffAsync("cs_admin");
        var aNames = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await app.CreateAutomationAsync(a.AccessToken, $"A automation {i}");
            aNames.Add($"A automation {i}");
        }
        var bOnly = await app.CreateAutomationAsync(b.AccessToken, "B automation");
        aNames.Sort(StringComparer.Ordinal);
        Assert.True(Workers > PgBouncerServer.PoolSize);

        var seen = new ConcurrentBag<(string Who, HttpStatusCode Status, string[] Names)>();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            using var ca = app.Client(a.AccessToken);
            using var cb = app.Client(b.AccessToken);
            using var cs = app.Client(staff.AccessToken);
            for (var i = 0; i < RequestsPerWorker; i++)
            {
                // Each worker interleaves the tenants in its own order; staff elevate into B's tenant mid-transaction.
                switch ((w + i) % 3)
                {
                    case 0:
                        var la = await ca.GetAsync("/v1/automations");
                        seen.Add(("A", la.StatusCode, Names(await la.ReadAsync())));
                        break;
                    case 1:
                        var lb = await cb.GetAsync("/v1/automations");
                        seen.Add(("B", lb.StatusCode, Names(await lb.ReadAsync())));
                        break;
                    default:
                        var one = await cs.GetAsync($"/v1/automations/{bOnly.AutomationId}");
                        seen.Add(("staff", one.StatusCode, [(await one.ReadAsync()).GetProperty("data").GetProperty("name").GetString()!]));
                        break;
                }
            }
        })));

        Assert.Equal(Workers * RequestsPerWorker, seen.Count);
        Assert.All(seen, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.All(seen.Where(s => s.Who == "A"), s => Assert.Equal(aNames, s.Names.Order(StringComparer.Ordinal)));
        Assert.All(seen.Where(s => s.Who is "B" or "staff"), s => Assert.Equal(["B automation"], s.Names));
        // The requests really shared the pool's few server connections (the event stream's direct LISTEN session aside).
        Assert.InRange(await app.CountAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = @role AND application_name <> @direct",
            ("role", PostgresServer.AppRole), ("direct", PgBouncerServer.DirectApplicationName)), 1, PgBouncerServer.PoolSize);

        // Every server connection of the pool, inside a transaction and outside one: no tenant, no staff read.
        var servers = await PooledServers.EachAsync(app.AppConnectionString);
        Assert.Equal(PgBouncerServer.PoolSize, servers.Select(s => s.BackendPid).Distinct().Count());
        Assert.All(servers, s => Assert.True(string.IsNullOrEmpty(s.TenantId), $"server {s.BackendPid} still carries tenant {s.TenantId}"));
        Assert.All(servers, s => Assert.NotEqual("on", s.StaffRead));
        await using var raw = new NpgsqlConnection(app.AppConnectionString);
        await raw.OpenAsync();
        for (var i = 0; i < 2 * PgBouncerServer.PoolSize; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT current_setting('app.tenant_id', true)", raw);
            Assert.True(string.IsNullOrEmpty(await cmd.ExecuteScalarAsync() as string));
            await using var rows = new NpgsqlCommand("SELECT count(*) FROM automations", raw);
            Assert.Equal(0L, await rows.ExecuteScalarAsync());
        }
    }

    private static string[] Names(JsonElement body) =>
        [.. body.GetProperty("data").EnumerateArray().Select(x => x.GetProperty("name").GetString()!)];
}

/// <summary>
/// The probe above can see a leak: a session-level <c>set_config(..., false)</c>, the design ADR 0002 rules out, does survive
/// on a pooled server connection and shows up there. Its own database, so its own pool.
/// </summary>
public sealed class PooledSessionSettingProbeTests(PgBouncerApp app) : IClassFixture<PgBouncerApp>
{
    [Fact]
    public async Task A_session_level_tenant_setting_would_survive_into_another_clients_pooled_connection()
    {
        var tenant = await app.InsertTenantAsync("Leaky");
        await app.InsertAutomationAsync(tenant, "Leaked");
        await using (var leaky = new NpgsqlConnection(app.AppConnectionString))
        {
            await leaky.OpenAsync();
            await using var set = new NpgsqlCommand($"SELECT set_config('app.tenant_id', '{tenant}', false)", leaky);
            await set.ExecuteNonQueryAsync();
        }

        // Another client: one of the pool's server connections now reads the tenant's rows without setting anything.
        var servers = await PooledServers.EachAsync(app.AppConnectionString, "SELECT set_config('app.tenant_id', '', false)");

        Assert.Contains(servers, s => s.TenantId == tenant.ToString());
    }
}
