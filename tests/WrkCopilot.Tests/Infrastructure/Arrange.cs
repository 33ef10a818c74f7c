using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// Arranging and inspecting state without going through the flows under test: owner-SQL reads and writes
/// (bypass RLS), tenants, members and staff with tokens minted by <see cref="SessionIssuer"/> (the roles in a
/// minted token are irrelevant: the auth handler loads roles from memberships), API keys and outbox rows.
/// </summary>
public static class Arrange
{
    /// <summary>The operator tenant's user holding <paramref name="role"/> (<c>ops_admin</c>, <c>cs_admin</c> or <c>admin</c>), with a token there.</summary>
    public static async Task<Caller> StaffAsync(this WrkApp app, string role = "ops_admin") =>
        await app.AddMemberAsync(await app.OperatorTenantAsync(), [role]);

    /// <summary>A new client workspace (inserted directly, no signup) and its admin, with a token.</summary>
    public static async Task<Caller> WorkspaceAdminAsync(this WrkApp app, string name = "Workspace") =>
        await app.AddMemberAsync(await app.InsertTenantAsync(name), ["admin"]);

    /// <summary>An API key of <paramref name="tenantId"/> (hashed as Flow 7 stores it); every permission unless given.</summary>
    public static async Task<string> ApiKeyAsync(this WrkApp app, Guid tenantId, Guid createdBy = default,
        string[]? permissions = null, DateTimeOffset? expiresAt = null)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        await app.ExecuteAsync(
            """
            INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, permissions, created_by_id, created_at, expires_at)
            VALUES (@id, @t, 'test key', @p, @h, @perms, @by, now(), @exp)
            """,
            ("id", Guid.CreateVersion7()), ("t", tenantId), ("p", prefix), ("h", Secrets.Hash(key)),
            ("perms", permissions ?? Permissions.All.ToArray()), ("by", createdBy),
            ("exp", (object?)expiresAt ?? DBNull.Value));
        return key;
    }

    /// <summary>Runs a scalar query as the table owner (bypasses RLS); null when no row.</summary>
    public static Task<T?> ScalarAsync<T>(this WrkApp app, string sql, params (string Name, object Value)[] args) => app.AsOwnerAsync(async conn =>
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T?)value;
    });

    public static Task<int> ExecuteAsync(this WrkApp app, string sql, params (string Name, object Value)[] args) => app.AsOwnerAsync(async conn =>
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return await cmd.ExecuteNonQueryAsync();
    });

    /// <summary>Makes <paramref name="userId"/> a member of <paramref name="tenantId"/> directly (as Flows 3/4 would).</summary>
    public static Task<int> AddMembershipAsync(this WrkApp app, Guid tenantId, Guid userId, params string[] roles) => app.ExecuteAsync(
        "INSERT INTO memberships (id, tenant_id, user_id, roles, created_at, updated_at) VALUES (@id, @t, @u, @r, now(), now())",
        ("id", Guid.CreateVersion7()), ("t", tenantId), ("u", userId), ("r", roles));

    /// <summary>The last email queued in the outbox for <paramref name="to"/> (its body), or null.</summary>
    public static async Task<string?> LastEmailBodyAsync(this WrkApp app, string to)
    {
        await app.DeliverOutboxAsync();
        return app.Mail.Sent.LastOrDefault(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase))?.Body;
    }

    /// <summary>The session family (<c>sid</c>) an access token belongs to.</summary>
    public static Guid SessionFamily(string accessToken) => Guid.Parse(new JsonWebToken(accessToken).GetClaim("sid").Value);

    public static async Task<(HttpStatusCode Status, JsonElement Body)> MeAsync(this WrkApp app, string bearer)
    {
        using var client = app.Client(bearer);
        var res = await client.GetAsync("/v1/users/me");
        return (res.StatusCode, await res.ReadAsync());
    }

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

    /// <summary>A new user who is a member of <paramref name="tenantId"/> with <paramref name="roles"/>, with a token for it.</summary>
    public static async Task<Caller> AddMemberAsync(this WrkApp app, Guid tenantId, string[] roles, string? email = null)
    {
        email ??= Identities.NewEmail("member");
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, EmailNormalized = email.ToLowerInvariant(), Name = "Member " + roles[0],
            PasswordHash = sp.GetRequiredService<PasswordHasher>().Hash(Identities.Password), CreatedAt = now, UpdatedAt = now,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        await app.AddMembershipAsync(tenantId, user.Id, roles);
        var token = await app.TokenForAsync(user.Id, tenantId, roles);
        return new Caller(token.AccessToken, token.RefreshToken, tenantId, user.Id, email, Identities.Password);
    }

    /// <summary>Mints tokens (a new session family) for a user in a tenant.</summary>
    public static async Task<TokenResponse> TokenForAsync(this WrkApp app, Guid userId, Guid tenantId, params string[] roles)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenantId);
        var tokens = sp.GetRequiredService<SessionIssuer>().Issue(userId, tenantId, roles);
        await sp.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return tokens;
    }

    /// <summary>The operator tenant's admin (seeded on first use in this database) with a token for the operator tenant.</summary>
    public static async Task<Caller> OperatorAdminAsync(this WrkApp app)
    {
        var email = Identities.NewEmail("staff");
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<OperatorSeeder>().SeedAsync(email, Identities.Password, "Staff Admin", "WRK", CancellationToken.None);
        }
        await using var scope2 = app.Scope();
        var db = scope2.ServiceProvider.GetRequiredService<AppDbContext>();
        var tenantId = await db.Tenants.Where(t => t.Kind == TenantKinds.Operator).Select(t => t.Id).SingleAsync();
        var userId = await db.Users.Where(u => u.EmailNormalized == email).Select(u => u.Id).SingleAsync();
        var token = await app.TokenForAsync(userId, tenantId, "admin");
        return new Caller(token.AccessToken, token.RefreshToken, tenantId, userId, email, Identities.Password);
    }
}
