using System.Net;
using System.Text.Json;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>A signed-in caller: tokens and ids as the API returned them.</summary>
public sealed record Caller(string AccessToken, string RefreshToken, Guid TenantId, Guid UserId, string Email, string Password)
{
    public static Caller From(JsonElement data, string email, string password) => new(
        data.GetProperty("access_token").GetString()!,
        data.GetProperty("refresh_token").GetString()!,
        data.GetProperty("tenant_id").GetGuid(),
        data.GetProperty("user_id").GetGuid(),
        email,
        password);
}

public static class Identities
{
    public const string Password = "correct-Horse-battery-9";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.test";

    /// <summary>Flow 1 through the API: a new client workspace whose admin is the returned caller.</summary>
    public static async Task<Caller> SignUpAsync(this WrkApp app, string? email = null, string workspace = "Acme")
    {
        email ??= NewEmail();
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email, password = Password, name = "Test User", workspace_name = workspace });
        var body = await res.ReadAsync();
        Assert.True(res.StatusCode == HttpStatusCode.Created, $"signup failed: {(int)res.StatusCode} {body}");
        return Caller.From(body.GetProperty("data"), email, Password);
    }

    public static async Task<Caller> LoginAsync(this WrkApp app, string email, string password = Password, Guid? tenantId = null)
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/login", new { email, password });
        var body = await res.ReadAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK, $"login failed: {(int)res.StatusCode} {body}");
        var caller = Caller.From(body.GetProperty("data"), email, password);
        if (tenantId is { } t && t != caller.TenantId)
        {
            using var authed = app.Client(caller.AccessToken);
            var sw = await authed.PostJsonAsync("/v1/auth/switch-tenant", new { tenant_id = t });
            var swBody = await sw.ReadAsync();
            Assert.True(sw.StatusCode == HttpStatusCode.OK, $"switch failed: {(int)sw.StatusCode} {swBody}");
            caller = Caller.From(swBody.GetProperty("data"), email, password);
        }
        return caller;
    }
}
