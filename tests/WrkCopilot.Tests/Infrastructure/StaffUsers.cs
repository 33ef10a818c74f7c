using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>A signed-in WRK staff user: a member of the operator tenant with the given operator role.</summary>
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

        await using var scope = app.Scope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(operatorId);
        var tokens = scope.ServiceProvider.GetRequiredService<SessionIssuer>().Issue(userId, operatorId, [role]);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return new StaffCaller(tokens.AccessToken, operatorId, userId, role);
    }
}
