using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow07_ApiKeys;

public sealed class ApiKeysTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private async Task<(HttpResponseMessage Res, JsonElement Body)> CreateAsync(string bearer, object body)
    {
        using var client = app.Client(bearer);
        var res = await client.PostJsonAsync("/v1/api-keys", body);
        return (res, await res.ReadAsync());
    }

    private async Task<JsonElement> CreateKeyAsync(Caller admin, params string[] permissions)
    {
        var (res, body) = await CreateAsync(admin.AccessToken, new { name = "CI", permissions });
        Assert.True(res.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("data");
    }

    /// <summary>An authenticated key is refused by the role-only endpoint (403); an unauthenticated one is 401.</summary>
    private async Task<HttpStatusCode> ProbeAsync(string key)
    {
        using var client = app.Client(key);
        return (await client.PostJsonAsync("/v1/api-keys", new { name = "x", permissions = new[] { "runs:read" } })).StatusCode;
    }

    [Fact]
    public async Task Admin_creates_a_key_shown_once_stored_hashed_and_audited()
    {
        var admin = await app.SignUpAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);

        var (res, body) = await CreateAsync(admin.AccessToken, new { name = "Zapier", permissions = new[] { "automations:read", "runs:read", "runs:read" }, expires_at = expiresAt });

        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var data = body.GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        var key = data.GetProperty("key").GetString()!;
        var prefix = data.GetProperty("prefix").GetString()!;
        Assert.StartsWith($"wrk_live_{prefix}_", key);
        Assert.Equal("Zapier", data.GetProperty("name").GetString());
        Assert.Equal(["automations:read", "runs:read"], data.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), data.GetProperty("expires_at").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM api_keys WHERE id = @id AND tenant_id = @t AND prefix = @p AND secret_hash = @h AND created_by_id = @u",
            ("id", id), ("t", admin.TenantId), ("p", prefix), ("h", Sha256(key)), ("u", admin.UserId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'api_key_created' AND resource_id = @id", ("t", admin.TenantId), ("id", id)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE metadata_json::text LIKE '%' || @k || '%'", ("k", key[^20..])));

        // The key authenticates (authenticated but not allowed here: 403, not 401) and its use is recorded.
        Assert.Equal(HttpStatusCode.Forbidden, await ProbeAsync(key));
        using var client = app.Client(admin.AccessToken);
        var list = await client.GetAsync("/v1/api-keys");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var text = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key[^20..], text);
        Assert.DoesNotContain(Sha256(key), text);
        var item = Assert.Single((await list.ReadAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetGuid());
        Assert.Equal(prefix, item.GetProperty("prefix").GetString());
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("last_used_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("revoked_at").ValueKind);
        Assert.False(item.TryGetProperty("key", out _));
        Assert.False(item.TryGetProperty("secret_hash", out _));
    }

    [Fact]
    public async Task Revocation_is_effective_at_once()
    {
        var admin = await app.SignUpAsync();
        var data = await CreateKeyAsync(admin, "automations:read");
        var key = data.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, await ProbeAsync(key));

        using var client = app.Client(admin.AccessToken);
        var res = await client.DeleteAsync($"/v1/api-keys/{data.GetProperty("id").GetGuid()}");

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync(key));
        var item = Assert.Single((await (await client.GetAsync("/v1/api-keys")).ReadAsync()).GetProperty("data").EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, item.GetProperty("revoked_at").ValueKind);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'api_key_revoked' AND resource_id = @id", ("id", data.GetProperty("id").GetGuid())));
    }

    [Fact]
    public async Task Expired_tampered_and_garbage_keys_are_401()
    {
        var admin = await app.SignUpAsync();
        var data = await CreateKeyAsync(admin, "runs:read");
        var key = data.GetProperty("key").GetString()!;
        var live = (await CreateKeyAsync(admin, "runs:read")).GetProperty("key").GetString()!;

        await app.CountAsync("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = @id", ("id", data.GetProperty("id").GetGuid()));

        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync(key));
        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync(live[..^4] + "AAAA"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync("wrk_live_000000000000_notarealsecretnotarealsecret"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ProbeAsync("wrk_live_garbage"));
        Assert.Equal(HttpStatusCode.Forbidden, await ProbeAsync(live));
    }

    [Fact]
    public async Task An_api_key_cannot_list_or_revoke_keys()
    {
        var admin = await app.SignUpAsync();
        var data = await CreateKeyAsync(admin, "automations:read", "automations:write", "runs:read", "usage:read");
        var key = data.GetProperty("key").GetString()!;
        using var client = app.Client(key);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/v1/api-keys/{data.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL AND tenant_id = @t", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("{\"name\":\"k\",\"permissions\":[]}", "$.permissions")]
    [InlineData("{\"name\":\"k\",\"permissions\":[\"automations:read\",\"admin\"]}", "$.permissions")]
    [InlineData("{\"name\":\"\",\"permissions\":[\"runs:read\"]}", "$.name")]
    [InlineData("{\"name\":\"k\",\"permissions\":[\"runs:read\"],\"expires_at\":\"2020-01-01T00:00:00Z\"}", "$.expires_at")]
    public async Task Bad_input_is_400_naming_the_field(string json, string path)
    {
        var admin = await app.SignUpAsync();
        using var client = app.Client(admin.AccessToken);

        var res = await client.PostAsync("/v1/api-keys", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var body = await res.ReadAsync();
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Members_and_viewers_are_403(string role)
    {
        var admin = await app.SignUpAsync();
        var id = (await CreateKeyAsync(admin, "runs:read")).GetProperty("id").GetGuid();
        var weak = await app.AddMemberAsync(admin.TenantId, [role]);
        using var client = app.Client(weak.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(weak.AccessToken, new { name = "k", permissions = new[] { "runs:read" } })).Res.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t AND revoked_at IS NULL", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task The_operator_tenant_gets_no_api_keys()
    {
        var staff = await app.OperatorAdminAsync();

        var (res, _) = await CreateAsync(staff.AccessToken, new { name = "k", permissions = new[] { "runs:read" } });

        Assert.Equal(HttpStatusCode.Forbidden, res.StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", staff.TenantId)));
    }

    [Fact]
    public async Task Another_tenants_admin_gets_404_and_the_key_keeps_working()
    {
        var victim = await app.SignUpAsync();
        var data = await CreateKeyAsync(victim, "runs:read");
        var id = data.GetProperty("id").GetGuid();
        var attacker = await app.SignUpAsync();
        using var client = app.Client(attacker.AccessToken);

        var res = await client.DeleteAsync($"/v1/api-keys/{id}");

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        var text = await res.Content.ReadAsStringAsync();
        Assert.DoesNotContain(id.ToString(), text);
        Assert.DoesNotContain(data.GetProperty("prefix").GetString()!, text);
        Assert.Equal(HttpStatusCode.Forbidden, await ProbeAsync(data.GetProperty("key").GetString()!));
        var list = await (await client.GetAsync("/v1/api-keys")).ReadAsync();
        Assert.Empty(list.GetProperty("data").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/v1/api-keys/{Guid.CreateVersion7()}")).StatusCode);
    }

    [Fact]
    public async Task Without_credentials_key_endpoints_are_401()
    {
        using var anon = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.GetAsync("/v1/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostJsonAsync("/v1/api-keys", new { name = "k", permissions = new[] { "runs:read" } })).StatusCode);
    }
}
