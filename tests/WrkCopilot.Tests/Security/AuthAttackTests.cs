using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>The callers and credentials every attack starts from, arranged once per class.</summary>
public sealed record AuthWorld(
    Caller Admin,
    Caller Viewer,
    Caller Stranger,
    Caller LoggedOut,
    Caller Removed,
    string CrossTenantToken,
    string Key,
    string RevokedKey,
    string ExpiredKey);

/// <summary>The app of <see cref="AuthAttackTests"/>, with its world built on first use.</summary>
public sealed class AuthAttackApp : WrkApp
{
    private readonly Lazy<Task<AuthWorld>> _world;

    public AuthAttackApp() => _world = new(BuildAsync);

    public Task<AuthWorld> World => _world.Value;

    private async Task<AuthWorld> BuildAsync()
    {
        var admin = await this.WorkspaceAdminAsync("Attacked");
        var viewer = await this.AddMemberAsync(admin.TenantId, ["viewer"]);
        var stranger = await this.WorkspaceAdminAsync("Other");
        using var adminClient = Client(admin.AccessToken);

        var loggedOut = await this.AddMemberAsync(admin.TenantId, ["admin"]);
        using (var c = Client(loggedOut.AccessToken))
        {
            await (await c.PostJsonAsync("/v1/auth/logout", new { })).ExpectAsync(HttpStatusCode.NoContent);
        }
        var removed = await this.AddMemberAsync(admin.TenantId, ["member"]);
        await (await adminClient.DeleteAsync($"/v1/tenants/{admin.TenantId}/users/{removed.UserId}")).ExpectAsync(HttpStatusCode.NoContent);

        // Minted by the server itself, for a workspace the user was never a member of.
        var crossTenant = (await this.TokenForAsync(admin.UserId, stranger.TenantId, "admin")).AccessToken;

        var key = await this.ApiKeyAsync(admin.TenantId, admin.UserId);
        var revoked = await this.ApiKeyAsync(admin.TenantId, admin.UserId);
        var expired = await this.ApiKeyAsync(admin.TenantId, admin.UserId);
        await this.ExecuteAsync("UPDATE api_keys SET revoked_at = now() WHERE prefix = @p", ("p", Prefix(revoked)));
        await this.ExecuteAsync("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE prefix = @p", ("p", Prefix(expired)));
        return new AuthWorld(admin, viewer, stranger, loggedOut, removed, crossTenant, key, revoked, expired);
    }

    private static string Prefix(string key) => key.Split('_')[2];
}

/// <summary>
/// Issue 8, item 4: forged, stale, foreign and revoked credentials, read against the routes of <c>EndpointDataSource</c> (an endpoint
/// added later is attacked too): six attacks on every authenticated route, the others on one route per area of the API. Each must be a
/// 401 problem+json without data, and no row may change.
/// Flows 2, 5, 6 and 7 test several of these cases on one endpoint each; this suite makes them systematic.
/// </summary>
public sealed class AuthAttackTests(AuthAttackApp app) : IClassFixture<AuthAttackApp>
{
    private static readonly byte[] RealKey = Convert.FromBase64String(WrkApp.SigningKey);
    private const string RealKid = "test-1";

    /// <summary>A JWT with the shape the app issues, for the caller's session, altered by the arguments.</summary>
    private static string Forge(Caller caller, byte[]? key = null, string kid = RealKid, string issuer = "wrk-copilot",
        string audience = "wrk-copilot-api", TimeSpan? notBefore = null, TimeSpan? expires = null, bool withExpiry = true)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now + (notBefore ?? TimeSpan.Zero),
            NotBefore = now + (notBefore ?? TimeSpan.Zero),
            Expires = withExpiry ? now + (expires ?? TimeSpan.FromMinutes(10)) : null,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = caller.UserId.ToString(),
                ["tenant_id"] = caller.TenantId.ToString(),
                ["roles"] = new[] { "admin" },
                ["sid"] = Arrange.SessionFamily(caller.AccessToken).ToString(),
                ["jti"] = Guid.NewGuid().ToString(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? RealKey) { KeyId = kid }, SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    /// <summary>The caller's own claims under <c>alg: none</c>, without a signature (and, second form, with the original one).</summary>
    private static string Unsigned(string token, bool keepSignature = false)
    {
        var parts = token.Split('.');
        var header = B64("""{"alg":"none","typ":"JWT","kid":"test-1"}""");
        return $"{header}.{parts[1]}.{(keepSignature ? parts[2] : "")}";
    }

    /// <summary>The issued token with one payload claim changed and the original signature kept.</summary>
    private static string Tampered(string token, string claim, JsonNode value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload[claim] = value;
        return $"{parts[0]}.{B64(payload.ToJsonString())}.{parts[2]}";
    }

    /// <summary>The attacks sent to every authenticated route; the others go to one route per area of the API.</summary>
    private static readonly HashSet<string> OnEveryRoute =
        ["expired", "wrong audience", "alg none, no signature", "tampered tenant_id", "logged-out session", "revoked API key"];

    /// <summary>Every credential that must be refused, as the <c>Authorization</c> header value (or another header) carrying it.</summary>
    private static List<(string Case, string? Authorization, (string, string)[] Headers)> Attacks(AuthWorld w)
    {
        var admin = w.Admin;
        var other = RandomNumberGenerator.GetBytes(32);
        var bearer = new List<(string, string)>
        {
            ("expired", Forge(admin, notBefore: TimeSpan.FromMinutes(-30), expires: TimeSpan.FromMinutes(-2))),
            ("not yet valid (nbf in 5 min)", Forge(admin, notBefore: TimeSpan.FromMinutes(5), expires: TimeSpan.FromMinutes(20))),
            ("no exp", Forge(admin, withExpiry: false)),
            ("wrong issuer", Forge(admin, issuer: "https://evil.example")),
            ("wrong audience", Forge(admin, audience: "another-api")),
            ("alg none, no signature", Unsigned(admin.AccessToken)),
            ("alg none, original signature", Unsigned(admin.AccessToken, keepSignature: true)),
            ("HS256 with another key, same kid", Forge(admin, key: other)),
            ("unknown kid, another key", Forge(admin, key: other, kid: "test-9")),
            ("tampered tenant_id", Tampered(admin.AccessToken, "tenant_id", w.Stranger.TenantId.ToString())),
            ("tampered sub", Tampered(admin.AccessToken, "sub", w.Stranger.UserId.ToString())),
            ("tampered roles (viewer to admin)", Tampered(w.Viewer.AccessToken, "roles", new JsonArray("admin"))),
            ("tampered exp", Tampered(admin.AccessToken, "exp", DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds())),
            ("signature stripped", admin.AccessToken[..(admin.AccessToken.LastIndexOf('.') + 1)]),
            ("cross-tenant (server-minted, not a member)", w.CrossTenantToken),
            ("removed member", w.Removed.AccessToken),
            ("logged-out session", w.LoggedOut.AccessToken),
            ("refresh token as bearer", admin.RefreshToken),
            ("garbage JWT", "abc.def.ghi"),
            ("revoked API key", w.RevokedKey),
            ("expired API key", w.ExpiredKey),
            ("API key prefix with a wrong secret", w.Key[..^8] + "AAAAAAAA"),
            ("malformed API key", "wrk_live_" + Guid.NewGuid().ToString("N")),
            ("JWT behind the API-key prefix", "wrk_live_" + admin.AccessToken),
        };
        var attacks = bearer.Select(b => (b.Item1, (string?)("Bearer " + b.Item2), Array.Empty<(string, string)>())).ToList();
        attacks.Add(("valid API key without the Bearer scheme", w.Key, []));
        attacks.Add(("valid JWT with the Basic scheme", "Basic " + admin.AccessToken, []));
        attacks.Add(("valid API key in X-Api-Key", null, [("X-Api-Key", w.Key)]));
        return attacks;
    }

    [Fact]
    public async Task The_forger_is_faithful_so_each_refusal_is_due_to_its_one_alteration()
    {
        var w = await app.World;

        var (status, body) = await app.MeAsync(Forge(w.Admin));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(w.Admin.UserId, body.GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Every_forged_stale_foreign_or_revoked_credential_is_401_on_every_authenticated_endpoint_and_changes_nothing()
    {
        var w = await app.World;
        var routes = AttackSurface.AuthenticatedRoutes(app);
        var areas = AttackSurface.OnePerArea(routes);
        var attacks = Attacks(w);
        Assert.Equal(OnEveryRoute.Count, attacks.Count(a => OnEveryRoute.Contains(a.Case)));
        var cases = attacks.SelectMany(a => (OnEveryRoute.Contains(a.Case) ? routes : areas).Select(r => (Attack: a, Route: r))).ToList();
        var before = await AttackSurface.FingerprintAsync(app);
        using var client = app.Client();

        var failures = await AttackSurface.SweepAsync(cases, async c =>
        {
            using var res = await AttackSurface.SendAsync(client, c.Route, c.Route.Url(), c.Attack.Authorization, headers: c.Attack.Headers);
            return await AttackSurface.RefusedAsync(res, HttpStatusCode.Unauthorized, $"{c.Attack.Case} on {c.Route.Name}");
        });

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} attacks not refused:\n" + string.Join("\n", failures.Take(40)));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
        // The genuine credentials still work: the refusals were not an outage.
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(w.Admin.AccessToken)).Status);
    }

    [Fact]
    public async Task Credentials_of_the_wrong_kind_are_refused_where_only_the_other_kind_is_allowed()
    {
        var w = await app.World;
        var routes = AttackSurface.AuthenticatedRoutes(app);
        var jwtOnly = routes.Where(r => !r.AdmitsApiKeys).ToList();
        Assert.NotEmpty(jwtOnly);
        var before = await AttackSurface.FingerprintAsync(app, w.Admin.TenantId);
        using var client = app.Client();

        // A valid key on a JWT-only endpoint authenticates but may not act: 403, never the data.
        var failures = await AttackSurface.SweepAsync(jwtOnly, async route =>
        {
            using var res = await AttackSurface.SendAsync(client, route, route.Url(), "Bearer " + w.Key);
            return await AttackSurface.RefusedAsync(res, HttpStatusCode.Forbidden, $"API key on {route.Name}");
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var changed = AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app, w.Admin.TenantId));
        Assert.True(changed.All(t => t == "api_keys"), "changed: " + string.Join(", ", changed)); // last_used_at only
    }

    [Fact]
    public async Task Refresh_refuses_access_tokens_api_keys_and_tokens_of_ended_sessions_and_changes_nothing()
    {
        var w = await app.World;
        var before = await AttackSurface.FingerprintAsync(app);
        using var client = app.Client();
        var failures = new List<string>();

        // An access token is longer than any refresh token: refused as malformed input (400 naming the field) before any lookup.
        foreach (var (name, token, status) in new[]
                 {
                     ("access token as refresh token", w.Admin.AccessToken, HttpStatusCode.BadRequest),
                     ("API key as refresh token", w.Key, HttpStatusCode.Unauthorized),
                     ("removed member's refresh token", w.Removed.RefreshToken, HttpStatusCode.Unauthorized),
                     ("refresh token with one character changed", w.Admin.RefreshToken[..^1] + (w.Admin.RefreshToken[^1] == 'A' ? 'B' : 'A'),
                         HttpStatusCode.Unauthorized),
                 })
        {
            using var res = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = token });
            if (await AttackSurface.RefusedAsync(res, status, name) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
    }

    [Fact]
    public async Task A_logged_out_refresh_token_presented_again_is_401_and_opens_no_session()
    {
        var w = await app.World;
        var family = Arrange.SessionFamily(w.LoggedOut.AccessToken);
        using var client = app.Client();

        using var res = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = w.LoggedOut.RefreshToken });

        Assert.Null(await AttackSurface.RefusedAsync(res, HttpStatusCode.Unauthorized, "logged-out refresh"));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE family_id = @f AND revoked_at IS NULL", ("f", family)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM sessions WHERE family_id = @f", ("f", family)));
    }

    [Fact]
    public async Task Reuse_of_the_oldest_of_several_rotated_refresh_tokens_revokes_the_family_in_every_area()
    {
        var user = await app.AddMemberAsync((await app.World).Admin.TenantId, ["admin"]);
        using var client = app.Client();
        var chain = new List<Caller> { user };
        for (var i = 0; i < 2; i++)
        {
            var next = await (await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = chain[^1].RefreshToken })).ExpectAsync(HttpStatusCode.OK);
            chain.Add(Caller.From(next.GetProperty("data"), user.Email, user.Password));
        }
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(chain[^1].AccessToken)).Status);

        using var reuse = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = chain[0].RefreshToken });

        Assert.Null(await AttackSurface.RefusedAsync(reuse, HttpStatusCode.Unauthorized, "reuse"));
        var family = Arrange.SessionFamily(user.AccessToken);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE family_id = @f AND revoked_at IS NULL", ("f", family)));
        // Every token of the chain, access and refresh, is dead in every area of the API.
        var areas = AttackSurface.OnePerArea(AttackSurface.AuthenticatedRoutes(app));
        foreach (var caller in chain)
        {
            Assert.Empty(await AttackSurface.SweepAsync(areas, async route =>
            {
                using var res = await AttackSurface.SendAsync(client, route, route.Url(), "Bearer " + caller.AccessToken);
                return await AttackSurface.RefusedAsync(res, HttpStatusCode.Unauthorized, $"revoked family on {route.Name}");
            }));
            using var refresh = await client.PostJsonAsync("/v1/auth/refresh", new { refresh_token = caller.RefreshToken });
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }
    }
}
