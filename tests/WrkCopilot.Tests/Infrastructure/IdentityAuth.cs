using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>Helpers for the identity and session tests (Flows 2 and 5): owner-SQL reads and arrangements.</summary>
public static class IdentityAuth
{
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
    public static Task<string?> LastEmailBodyAsync(this WrkApp app, string to) => app.ScalarAsync<string>(
        "SELECT payload->>'body' FROM outbox WHERE type = 'email' AND payload->>'to' = @to ORDER BY created_at DESC, id DESC LIMIT 1",
        ("to", to));

    /// <summary>The session family (<c>sid</c>) an access token belongs to.</summary>
    public static Guid SessionFamily(string accessToken) => Guid.Parse(new JsonWebToken(accessToken).GetClaim("sid").Value);

    public static async Task<(HttpStatusCode Status, JsonElement Body)> MeAsync(this WrkApp app, string bearer)
    {
        using var client = app.Client(bearer);
        var res = await client.GetAsync("/v1/users/me");
        return (res.StatusCode, await res.ReadAsync());
    }
}
