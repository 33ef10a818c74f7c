using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>Arranges tenants, users and tokens without going through the HTTP flows (which may be rate-limited or under test).</summary>
public static class DirectUsers
{
    public sealed record Arranged(Guid TenantId, Guid UserId, string Email, string AccessToken);

    public static async Task<Arranged> CreateClientAdminAsync(WrkApp app, string workspace, params string[] roles)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var tenant = new Tenant { Id = Guid.CreateVersion7(), Name = workspace, Kind = TenantKinds.Client, CreatedAt = now, UpdatedAt = now };
        var email = Identities.NewEmail(workspace);
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, EmailNormalized = email, Name = workspace + " user",
            PasswordHash = sp.GetRequiredService<PasswordHasher>().Hash(Identities.Password), CreatedAt = now, UpdatedAt = now,
        };
        db.Tenants.Add(tenant);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var token = await db.InTenantAsync(tenant.Id, async () =>
        {
            db.Memberships.Add(new Membership
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, UserId = user.Id,
                Roles = roles.Length > 0 ? [.. roles] : ["admin"], CreatedAt = now, UpdatedAt = now,
            });
            var issued = sp.GetRequiredService<SessionIssuer>().Issue(user.Id, tenant.Id, roles.Length > 0 ? roles : ["admin"]);
            await db.SaveChangesAsync();
            return issued.AccessToken;
        }, CancellationToken.None);
        return new Arranged(tenant.Id, user.Id, email, token);
    }
}

public static class ApiKeys
{
    /// <summary>Inserts an API key of <paramref name="tenantId"/> directly (hashed like Flow 7 does) and returns the secret.</summary>
    public static async Task<string> InsertAsync(WrkApp app, Guid tenantId, IReadOnlyList<string> permissions, DateTimeOffset? expiresAt = null)
    {
        var (key, prefix) = ApiKeyFormat.Generate();
        await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new Npgsql.NpgsqlCommand(
                """
                INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, permissions, created_by_id, created_at, expires_at)
                VALUES (@id, @t, 'test key', @p, @h, @perms, @u, now(), @exp)
                """, conn);
            cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("p", prefix);
            cmd.Parameters.AddWithValue("h", Secrets.Hash(key));
            cmd.Parameters.AddWithValue("perms", permissions.ToArray());
            cmd.Parameters.AddWithValue("u", Guid.Empty);
            cmd.Parameters.AddWithValue("exp", (object?)expiresAt ?? DBNull.Value);
            return await cmd.ExecuteNonQueryAsync();
        });
        return key;
    }
}
