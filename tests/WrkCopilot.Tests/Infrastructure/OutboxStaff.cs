using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// Staff callers for the outbox/tenancy tests: the operator tenant (created once per database) and a user
/// holding the given operator role, with an access token minted by <see cref="SessionIssuer"/>.
/// </summary>
public static class OutboxStaff
{
    public static async Task<Guid> OperatorTenantAsync(this WrkApp app) => await app.AsOwnerAsync(async conn =>
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO tenants (id, name, kind, currency, ai_processing, created_at, updated_at)
            SELECT @id, 'WRK', 'operator', 'USD', true, now(), now()
            WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE kind = 'operator');
            SELECT id FROM tenants WHERE kind = 'operator' ORDER BY created_at LIMIT 1;
            """, conn);
        cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    });

    /// <summary>A new user with <paramref name="role"/> (unqualified, e.g. <c>ops_admin</c>) in the operator tenant.</summary>
    public static async Task<Caller> StaffAsync(this WrkApp app, string role = "ops_admin")
    {
        var tenantId = await app.OperatorTenantAsync();
        return await app.MemberAsync(tenantId, role);
    }

    /// <summary>A new user holding <paramref name="role"/> in <paramref name="tenantId"/>, signed in through a fresh session.</summary>
    public static async Task<Caller> MemberAsync(this WrkApp app, Guid tenantId, string role)
    {
        var userId = Guid.CreateVersion7();
        var email = Identities.NewEmail("staff");
        await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO users (id, email, email_normalized, name, created_at, updated_at)
                VALUES (@u, @e, @e, 'Staff User', now(), now());
                INSERT INTO memberships (id, tenant_id, user_id, roles, created_at, updated_at)
                VALUES (@m, @t, @u, ARRAY[@r], now(), now());
                """, conn);
            cmd.Parameters.AddWithValue("u", userId);
            cmd.Parameters.AddWithValue("e", email);
            cmd.Parameters.AddWithValue("m", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("r", role);
            return await cmd.ExecuteNonQueryAsync();
        });
        await using var scope = app.Scope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        var tokens = scope.ServiceProvider.GetRequiredService<SessionIssuer>().Issue(userId, tenantId, [role]);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return new Caller(tokens.AccessToken, tokens.RefreshToken, tenantId, userId, email, "");
    }

    /// <summary>An API key of <paramref name="tenantId"/>, with every permission unless given (API keys never pass a role check).</summary>
    public static async Task<string> ApiKeyAsync(this WrkApp app, Guid tenantId, Guid createdBy, string[]? permissions = null)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, permissions, created_by_id, created_at)
                VALUES (@id, @t, 'test key', @p, @h, @perms, @by, now())
                """, conn);
            cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("p", prefix);
            cmd.Parameters.AddWithValue("h", Secrets.Hash(key));
            cmd.Parameters.AddWithValue("perms", permissions ?? Permissions.All.ToArray());
            cmd.Parameters.AddWithValue("by", createdBy);
            return await cmd.ExecuteNonQueryAsync();
        });
        return key;
    }

    /// <summary>Inserts an outbox row as the owner, as if a committed unit of work had written it.</summary>
    public static Task<Guid> InsertJobAsync(this WrkApp app, string type, object payload, string status = "pending",
        Guid? tenantId = null, string queue = "notifications", int attempts = 0, int maxAttempts = 8,
        DateTimeOffset? createdAt = null, DateTimeOffset? lockedUntil = null, string? lockedBy = null,
        DateTimeOffset? completedAt = null, DateTimeOffset? availableAt = null) => app.AsOwnerAsync(async conn =>
    {
        var id = Guid.CreateVersion7();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO outbox (id, tenant_id, queue, type, payload, status, attempts, max_attempts, available_at,
                                locked_until, locked_by, created_at, completed_at)
            VALUES (@id, @t, @q, @type, @payload::jsonb, @s, @a, @max, COALESCE(@avail, now() - interval '1 second'),
                    @lu, @lb, COALESCE(@c, now()), @done)
            """, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", (object?)tenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("q", queue);
        cmd.Parameters.AddWithValue("type", type);
        cmd.Parameters.AddWithValue("payload", System.Text.Json.JsonSerializer.Serialize(payload, Json.Options));
        cmd.Parameters.AddWithValue("s", status);
        cmd.Parameters.AddWithValue("a", attempts);
        cmd.Parameters.AddWithValue("max", maxAttempts);
        cmd.Parameters.Add(new NpgsqlParameter("avail", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)availableAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("lu", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)lockedUntil ?? DBNull.Value });
        cmd.Parameters.AddWithValue("lb", (object?)lockedBy ?? DBNull.Value);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)createdAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("done", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)completedAt ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync();
        return id;
    });

    /// <summary>Runs <paramref name="sql"/> as the owner and returns the first column of the first row.</summary>
    public static Task<T> ScalarAsync<T>(this WrkApp app, string sql, params (string Name, object Value)[] args) => app.AsOwnerAsync(async conn =>
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    });

    /// <summary>A client tenant created as the owner (no users), for tenancy tests that need bare rows.</summary>
    public static Task<Guid> InsertTenantAsync(this WrkApp app, string name = "Tenant") => app.AsOwnerAsync(async conn =>
    {
        var id = Guid.CreateVersion7();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO tenants (id, name, kind, currency, ai_processing, created_at, updated_at) VALUES (@id, @n, 'client', 'USD', true, now(), now())", conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("n", name);
        await cmd.ExecuteNonQueryAsync();
        return id;
    });

    /// <summary>An automation of <paramref name="tenantId"/>, inserted as the owner (bypassing both walls).</summary>
    public static Task<Guid> InsertAutomationAsync(this WrkApp app, Guid tenantId, string name) => app.AsOwnerAsync(async conn =>
    {
        var id = Guid.CreateVersion7();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@id, @t, @n, now(), now())", conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("n", name);
        await cmd.ExecuteNonQueryAsync();
        return id;
    });

    /// <summary>Asserts the status, showing the body when it differs.</summary>
    public static async Task<System.Text.Json.JsonElement> ExpectAsync(this HttpResponseMessage res, System.Net.HttpStatusCode status)
    {
        var body = await res.ReadAsync();
        Assert.True(res.StatusCode == status, $"expected {(int)status}, got {(int)res.StatusCode}: {body}");
        return body;
    }
}
