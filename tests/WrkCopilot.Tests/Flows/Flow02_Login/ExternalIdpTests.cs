using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

/// <summary>An app that trusts one external IdP whose JWKS a WireMock server publishes.</summary>
public class ExternalIdpApp : WrkApp
{
    public const string Issuer = "https://idp.example.test/";
    public const string Audience = "wrk-copilot-external";

    public RSA IdpKey { get; } = RSA.Create(2048);
    public WireMockServer Idp => ExternalService("idp");

    protected virtual bool AllowOperatorAccess => false;

    public ExternalIdpApp()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(IdpKey.ExportParameters(false)) { KeyId = "idp-1" });
        var jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
        Idp.Given(Request.Create().WithPath("/.well-known/jwks.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(jwks));
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:ExternalIssuers:0:Issuer", Issuer),
        new("Auth:ExternalIssuers:0:Audience", Audience),
        new("Auth:ExternalIssuers:0:JwksUrl", $"{Idp.Url}/.well-known/jwks.json"),
        new("Auth:ExternalIssuers:0:AllowOperatorAccess", AllowOperatorAccess ? "true" : "false"),
    ];

    public string Token(string subject, Guid tenantId, RSA? key = null, string issuer = Issuer, string audience = Audience, TimeSpan? expiresIn = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        var notBefore = expires < now ? expires - TimeSpan.FromHours(1) : now;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["tenant_id"] = tenantId.ToString() },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? IdpKey) { KeyId = "idp-1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>Links an account to an IdP subject, as an administrator would when enabling SSO.</summary>
    public Task LinkAsync(Guid userId, string subject) => this.ExecuteAsync(
        "UPDATE users SET external_issuer = @i, external_subject = @s WHERE id = @u", ("i", Issuer), ("s", subject), ("u", userId));

    /// <summary>The operator tenant (seeded) and a staff user of it linked to <paramref name="subject"/>.</summary>
    public async Task<Guid> SeedOperatorAsync(string subject)
    {
        var email = Identities.NewEmail("staff");
        await using (var scope = Scope())
        {
            await scope.ServiceProvider.GetRequiredService<OperatorSeeder>().SeedAsync(email, Identities.Password, "Staff", "WRK", CancellationToken.None);
        }
        var userId = await this.ScalarAsync<Guid>("SELECT id FROM users WHERE email = @e", ("e", email));
        await LinkAsync(userId, subject);
        return await this.ScalarAsync<Guid>("SELECT id FROM tenants WHERE kind = 'operator'");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        IdpKey.Dispose();
    }
}

public sealed class OperatorTrustingIdpApp : ExternalIdpApp
{
    protected override bool AllowOperatorAccess => true;
}

public sealed class ExternalIdpTests(ExternalIdpApp app) : IClassFixture<ExternalIdpApp>
{
    private async Task<(Caller User, string Subject)> LinkedUserAsync()
    {
        var user = await app.SignUpAsync(workspace: "SSO Co");
        var subject = $"idp|{Guid.NewGuid():N}";
        await app.LinkAsync(user.UserId, subject);
        return (user, subject);
    }

    [Fact]
    public async Task A_token_from_the_configured_idp_maps_to_the_user_by_sub()
    {
        var (user, subject) = await LinkedUserAsync();

        var (status, body) = await app.MeAsync(app.Token(subject, user.TenantId));

        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("data");
        Assert.Equal(user.UserId, data.GetProperty("id").GetGuid());
        Assert.Equal(user.TenantId, data.GetProperty("tenant_id").GetGuid());
        Assert.Equal(["admin"], data.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Wrong_audience_expired_unknown_issuer_other_key_or_unknown_subject_are_401()
    {
        var (user, subject) = await LinkedUserAsync();
        using var rogue = RSA.Create(2048);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token(subject, user.TenantId, audience: "someone-else"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token(subject, user.TenantId, expiresIn: TimeSpan.FromMinutes(-5)))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token(subject, user.TenantId, issuer: "https://evil.example.test/"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token(subject, user.TenantId, key: rogue))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token("idp|nobody", user.TenantId))).Status);
        // The same subject signed properly still works: the refusals above were about the token.
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(app.Token(subject, user.TenantId))).Status);
    }

    [Fact]
    public async Task A_tenant_claim_naming_a_workspace_without_membership_is_401()
    {
        var (_, subject) = await LinkedUserAsync();
        var stranger = await app.SignUpAsync(workspace: "Elsewhere");

        var (status, body) = await app.MeAsync(app.Token(subject, stranger.TenantId));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.DoesNotContain("Elsewhere", body.ToString());
    }

    [Fact]
    public async Task Operator_tenant_is_refused_unless_configured()
    {
        var subject = $"idp|{Guid.NewGuid():N}";
        var operatorTenant = await app.SeedOperatorAsync(subject);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(app.Token(subject, operatorTenant))).Status);
    }

    [Fact]
    public async Task An_external_session_cannot_switch_workspace_so_never_reaches_the_operator_tenant()
    {
        var subject = $"idp|{Guid.NewGuid():N}";
        var operatorTenant = await app.SeedOperatorAsync(subject);
        var staffId = await app.ScalarAsync<Guid>("SELECT id FROM users WHERE external_subject = @s", ("s", subject));
        var client = await app.SignUpAsync();
        await app.AddMembershipAsync(client.TenantId, staffId, "viewer");
        using var http = app.Client(app.Token(subject, client.TenantId));

        // Neither straight into the operator tenant, nor first into a client tenant to get a local token and then on.
        var direct = await http.PostJsonAsync("/v1/auth/switch-tenant", new { tenant_id = operatorTenant });
        var sideways = await http.PostJsonAsync("/v1/auth/switch-tenant", new { tenant_id = client.TenantId });

        Assert.Equal(HttpStatusCode.Forbidden, direct.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, sideways.StatusCode);
        Assert.Equal("external_session", (await sideways.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u", ("u", staffId)));
    }
}

public sealed class OperatorTrustingIdpTests(OperatorTrustingIdpApp app) : IClassFixture<OperatorTrustingIdpApp>
{
    [Fact]
    public async Task Operator_tenant_is_allowed_when_the_issuer_is_trusted_for_it()
    {
        var subject = $"idp|{Guid.NewGuid():N}";
        var operatorTenant = await app.SeedOperatorAsync(subject);

        var (status, body) = await app.MeAsync(app.Token(subject, operatorTenant));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(operatorTenant, body.GetProperty("data").GetProperty("tenant_id").GetGuid());
    }
}
