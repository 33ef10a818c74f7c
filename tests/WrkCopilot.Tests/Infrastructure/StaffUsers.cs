using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>A user signed in to one tenant with one role (staff: the operator tenant).</summary>
public sealed record StaffCaller(string AccessToken, Guid TenantId, Guid UserId, string Role);

public static class StaffUsers
{
    /// <summary>
    /// Creates (once per database) the operator tenant and a new user holding <paramref name="role"/>
    /// (<c>ops_admin</c>, <c>cs_admin</c> or <c>admin</c>) there, and mints an access token for it. Roles in the
    /// token are ignored by the API: the membership decides.
    /// </summary>
    public static async Task<StaffCaller> StaffAsync(this WrkApp app, string role)
    {
        var userId = Guid.CreateVersion7();
        var operatorId = await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO tenants (id, name, kind, currency, ai_processing, created_at, updated_at)
                VALUES (@id, 'WRK', 'operator', 'USD', true, now(), now())
                ON CONFLICT DO NOTHING;
                SELECT id FROM tenants WHERE kind = 'operator';
                """, conn);
            cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
            var op = (Guid)(await cmd.ExecuteScalarAsync())!;
            var email = Identities.NewEmail("staff");
            await using var user = new NpgsqlCommand("""
                INSERT INTO users (id, email, email_normalized, name, created_at, updated_at)
                VALUES (@uid, @email, @email, 'Staff User', now(), now());
                INSERT INTO memberships (id, tenant_id, user_id, roles, created_at, updated_at)
                VALUES (@mid, @tid, @uid, @roles, now(), now());
                """, conn);
            user.Parameters.AddWithValue("uid", userId);
            user.Parameters.AddWithValue("email", email);
            user.Parameters.AddWithValue("mid", Guid.CreateVersion7());
            user.Parameters.AddWithValue("tid", op);
            user.Parameters.AddWithValue("roles", new[] { role });
            await user.ExecuteNonQueryAsync();
            return op;
        });

        return await app.TokenAsync(operatorId, userId, role);
    }

    /// <summary>A new user holding <paramref name="role"/> in an existing client tenant, with an access token there.</summary>
    public static async Task<StaffCaller> ClientUserAsync(this WrkApp app, Guid tenantId, string role)
    {
        var userId = Guid.CreateVersion7();
        await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO users (id, email, email_normalized, name, created_at, updated_at)
                VALUES (@uid, @email, @email, 'Client User', now(), now());
                INSERT INTO memberships (id, tenant_id, user_id, roles, created_at, updated_at)
                VALUES (@mid, @tid, @uid, @roles, now(), now());
                """, conn);
            cmd.Parameters.AddWithValue("uid", userId);
            cmd.Parameters.AddWithValue("email", Identities.NewEmail(role));
            cmd.Parameters.AddWithValue("mid", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("tid", tenantId);
            cmd.Parameters.AddWithValue("roles", new[] { role });
            return await cmd.ExecuteNonQueryAsync();
        });
        return await app.TokenAsync(tenantId, userId, role);
    }

    private static async Task<StaffCaller> TokenAsync(this WrkApp app, Guid tenantId, Guid userId, string role)
    {
        await using var scope = app.Scope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        var tokens = scope.ServiceProvider.GetRequiredService<SessionIssuer>().Issue(userId, tenantId, [role]);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return new StaffCaller(tokens.AccessToken, tenantId, userId, role);
    }
}
