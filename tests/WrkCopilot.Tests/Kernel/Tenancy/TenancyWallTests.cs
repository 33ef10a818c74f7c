using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Tenancy;

/// <summary>The two tenancy walls (EF query filter, PostgreSQL RLS) and the database roles behind them, on a direct connection.</summary>
public sealed class TenancyWallTests(WrkApp app) : TenancyWallContract(app), IClassFixture<WrkApp>;

/// <summary>The tenancy walls' tests against any app: direct here, through PgBouncer in <c>Topology/</c>.</summary>
public abstract class TenancyWallContract(WrkApp app)
{
    /// <summary>flows.md "Tenancy mechanics": the only tables without a tenant (+ password_reset_tokens, keyed by user).</summary>
    private static readonly string[] GlobalTables =
        ["tenants", "users", "sessions", "invitations", "api_keys", "password_reset_tokens", "outbox", "idempotency_keys"];

    private async Task<(Guid A, Guid B)> TwoTenantsAsync()
    {
        var a = await app.InsertTenantAsync("A");
        var b = await app.InsertTenantAsync("B");
        await app.InsertAutomationAsync(a, "A1");
        await app.InsertAutomationAsync(a, "A2");
        await app.InsertAutomationAsync(b, "B1");
        return (a, b);
    }

    private static async Task<long> RawCountAsync(AppDbContext db, string sql)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_unit_of_work_sees_only_its_tenants_rows_through_either_wall()
    {
        var (a, _) = await TwoTenantsAsync();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(a);
        await using var tx = await db.Database.BeginTransactionAsync();

        var filtered = await db.Automations.Select(x => x.Name).OrderBy(n => n).ToListAsync();
        var rlsOnly = await db.Automations.IgnoreQueryFilters().Select(x => x.Name).OrderBy(n => n).ToListAsync();
        var raw = await RawCountAsync(db, "SELECT count(*) FROM automations");

        Assert.Equal(["A1", "A2"], filtered);
        Assert.Equal(["A1", "A2"], rlsOnly);
        Assert.Equal(2, raw);
    }

    [Fact]
    public async Task Without_a_tenant_no_tenant_scoped_row_is_visible()
    {
        await TwoTenantsAsync();
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            Assert.Empty(await db.Automations.IgnoreQueryFilters().ToListAsync());
            Assert.Equal(0, await RawCountAsync(db, "SELECT count(*) FROM automations"));
        }
        // Outside a transaction nothing sets app.tenant_id either.
        Assert.Empty(await db.Automations.IgnoreQueryFilters().ToListAsync());
        Assert.True(await app.CountAsync("SELECT count(*) FROM automations") >= 3);
    }

    [Fact]
    public async Task Every_tenant_scoped_entity_has_row_level_security_and_only_the_global_tables_lack_it()
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var entities = db.Model.GetEntityTypes().Where(t => t.GetTableName() is not null).ToList();
        var tenantTables = entities.Where(t => typeof(ITenantScoped).IsAssignableFrom(t.ClrType)).Select(t => t.GetTableName()!).ToHashSet();
        var otherEntityTables = entities.Where(t => !typeof(ITenantScoped).IsAssignableFrom(t.ClrType)).Select(t => t.GetTableName()!).ToHashSet();
        Assert.NotEmpty(tenantTables);
        Assert.Equal(GlobalTables.Order(), otherEntityTables.Order());

        foreach (var table in tenantTables)
        {
            Assert.True(await app.CountAsync("SELECT count(*) FROM pg_class WHERE relname = @t AND relkind = 'r' AND relrowsecurity", ("t", table)) == 1,
                $"{table}: row-level security is not enabled");
            Assert.True(await app.CountAsync(
                """
                SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = @t AND policyname = 'tenant_isolation'
                  AND cmd = 'ALL' AND qual LIKE '%app.tenant_id%' AND with_check LIKE '%app.tenant_id%'
                """, ("t", table)) == 1, $"{table}: no tenant_isolation policy (USING and WITH CHECK on app.tenant_id)");
            Assert.True(await app.CountAsync(
                "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = @t AND policyname = 'staff_read' AND cmd = 'SELECT'",
                ("t", table)) == 1, $"{table}: no read-only staff_read policy");
            // Writes go through tenant_isolation only: no other permissive policy may open them up.
            Assert.True(await app.CountAsync(
                "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = @t AND policyname NOT IN ('tenant_isolation', 'staff_read')",
                ("t", table)) == 0, $"{table}: unexpected extra policy");
        }

        var withoutRls = await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity AND c.relname <> '__ef_migrations_history'
                ORDER BY 1
                """, conn);
            var names = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                names.Add(r.GetString(0));
            }
            return names;
        });
        Assert.Equal(GlobalTables.Order(), withoutRls);
    }

    [Fact]
    public async Task The_app_role_is_no_superuser_cannot_bypass_rls_and_owns_no_table()
    {
        await using var conn = new NpgsqlConnection(app.AppConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_tables t WHERE t.tableowner = current_user),
                   (SELECT count(*) FROM pg_class c JOIN pg_roles o ON o.oid = c.relowner
                      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE o.rolname = current_user AND n.nspname = 'public')
            FROM pg_roles r WHERE r.rolname = current_user
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.False(r.GetBoolean(0), "the app role is a superuser");
        Assert.False(r.GetBoolean(1), "the app role has BYPASSRLS");
        Assert.Equal(0, r.GetInt64(2));
        Assert.Equal(0, r.GetInt64(3));
    }

    [Fact]
    public async Task Writing_another_tenants_row_is_refused_by_the_ef_guard_and_by_postgresql()
    {
        var (a, b) = await TwoTenantsAsync();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Set(a);
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Automations.Add(new Automation
            {
                Id = Guid.CreateVersion7(), TenantId = b, Name = "smuggled-ef", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });

            await Assert.ThrowsAsync<CrossTenantWriteException>(() => db.SaveChangesAsync());
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => AppSqlAsync(a, staffRead: false,
            "INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@id, @b, 'smuggled-sql', now(), now())", b));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains("row-level security", refused.MessageText);

        // Moving an own row into another tenant is refused too.
        var moved = await Assert.ThrowsAsync<PostgresException>(() => AppSqlAsync(a, staffRead: false,
            "UPDATE automations SET tenant_id = @b WHERE name = 'A1' AND id <> @id", b));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, moved.SqlState);

        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE name LIKE 'smuggled%'"));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @b AND name LIKE 'A%'", ("b", b)));
    }

    [Fact]
    public async Task Staff_read_sees_across_tenants_but_still_writes_only_into_the_current_tenant()
    {
        var (a, b) = await TwoTenantsAsync();
        await using (var scope = app.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
            tenant.Set(a);
            tenant.EnableStaffRead();
            await using var tx = await db.Database.BeginTransactionAsync();

            var names = await db.Automations.Where(x => x.TenantId == a || x.TenantId == b).Select(x => x.Name).OrderBy(n => n).ToListAsync();
            Assert.Equal(["A1", "A2", "B1"], names);

            db.Automations.Add(new Automation
            {
                Id = Guid.CreateVersion7(), TenantId = b, Name = "staff-smuggled-ef", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await Assert.ThrowsAsync<CrossTenantWriteException>(() => db.SaveChangesAsync());
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => AppSqlAsync(a, staffRead: true,
            "INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@id, @b, 'staff-smuggled-sql', now(), now())", b));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        // Updates and deletes of another tenant's rows match nothing: staff_read is a SELECT-only policy.
        Assert.Equal(0, await AppSqlAsync(a, staffRead: true, "UPDATE automations SET name = 'renamed' WHERE tenant_id = @b AND id <> @id", b));
        Assert.Equal(0, await AppSqlAsync(a, staffRead: true, "DELETE FROM automations WHERE tenant_id = @b AND id <> @id", b));

        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automations WHERE tenant_id = @b AND name = 'B1'", ("b", b)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE name LIKE 'staff-smuggled%'"));
    }

    [Fact]
    public async Task Audit_logs_are_append_only_for_the_app_role_and_for_the_owner()
    {
        var (a, _) = await TwoTenantsAsync();
        var auditId = Guid.CreateVersion7();
        await AppSqlAsync(a, staffRead: false,
            "INSERT INTO audit_logs (id, tenant_id, action_type, resource_type, metadata_json, created_at) VALUES (@id, @b, 'test_event', 'test', '{}', now())",
            a, auditId);

        foreach (var sql in new[] { "UPDATE audit_logs SET action_type = 'tampered' WHERE id = @id", "DELETE FROM audit_logs WHERE id = @id" })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => AppSqlAsync(a, staffRead: false, sql, a, auditId));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            Assert.Contains("permission denied", denied.MessageText);

            var ownerDenied = await Assert.ThrowsAsync<PostgresException>(() => app.AsOwnerAsync(async conn =>
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.AddWithValue("id", auditId);
                return await cmd.ExecuteNonQueryAsync();
            }));
            Assert.Contains("append-only", ownerDenied.MessageText);
        }
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE id = @id AND action_type = 'test_event'", ("id", auditId)));
    }

    [Fact]
    public async Task Two_live_versions_of_one_automation_are_refused_at_commit_whatever_the_order_of_the_updates()
    {
        var (a, _) = await TwoTenantsAsync();
        var automation = await app.InsertAutomationAsync(a, "One live");
        var v1 = Guid.CreateVersion7();
        var v2 = Guid.CreateVersion7();
        foreach (var (id, minor, status) in new[] { (v1, 0, "live"), (v2, 1, "ready_to_launch") })
        {
            await app.ExecuteAsync(
                "INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json, intake_progress, row_version, created_at, updated_at) " +
                "VALUES (@id, @t, @a, @v, 1, @m, @s, '{}', 0, 1, now(), now())",
                ("id", id), ("t", a), ("a", automation), ("v", $"v1.{minor}"), ("m", minor), ("s", status));
        }

        // A launch in one transaction: the new version first, then the old one archived; fine at commit.
        await app.ExecuteAsync("BEGIN; UPDATE automation_versions SET status = 'live' WHERE id = @n; " +
                               "UPDATE automation_versions SET status = 'archived' WHERE id = @o; COMMIT;", ("n", v2), ("o", v1));
        // Two live at commit: refused.
        var denied = await Assert.ThrowsAsync<PostgresException>(() =>
            app.ExecuteAsync("UPDATE automation_versions SET status = 'live' WHERE id = @o", ("o", v1)));
        Assert.Equal(PostgresErrorCodes.ExclusionViolation, denied.SqlState);
    }

    [Fact]
    public async Task A_finalized_billing_period_cannot_be_changed_or_deleted_even_by_the_owner()
    {
        var (a, _) = await TwoTenantsAsync();
        var periodId = Guid.CreateVersion7();
        await app.ExecuteAsync(
            "INSERT INTO billing_periods (id, tenant_id, period_start, period_end, status, currency, total_spend, lines_json, finalized_at, created_at, updated_at) " +
            "VALUES (@id, @t, '2026-01-01', '2026-01-31', 'finalized', 'USD', 100.00, '[]', now(), now(), now())",
            ("id", periodId), ("t", a));

        foreach (var sql in new[] { "UPDATE billing_periods SET total_spend = 1 WHERE id = @id", "DELETE FROM billing_periods WHERE id = @id" })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => app.AsOwnerAsync(async conn =>
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.AddWithValue("id", periodId);
                return await cmd.ExecuteNonQueryAsync();
            }));
            Assert.Contains("finalized", denied.MessageText);
        }
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM billing_periods WHERE id = @id AND total_spend = 100.00", ("id", periodId)));
    }

    /// <summary>Raw SQL as the app role in one transaction with app.tenant_id (and app.staff_read) set; <c>@b</c> and <c>@id</c> bound.</summary>
    private async Task<int> AppSqlAsync(Guid tenant, bool staffRead, string sql, Guid b, Guid? id = null)
    {
        await using var conn = new NpgsqlConnection(app.AppConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, true), set_config('app.staff_read', @s, true)", conn, tx))
        {
            set.Parameters.AddWithValue("t", tenant.ToString());
            set.Parameters.AddWithValue("s", staffRead ? "on" : "off");
            await set.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("b", b);
        cmd.Parameters.AddWithValue("id", id ?? Guid.CreateVersion7());
        var n = await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
        return n;
    }
}
