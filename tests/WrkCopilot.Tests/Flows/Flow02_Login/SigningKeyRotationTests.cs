using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

/// <summary>Mid-rotation configuration: "new" signs, "old" is still accepted.</summary>
public sealed class RotatingKeysApp : WrkApp
{
    public static readonly byte[] OldSecret = RandomNumberGenerator.GetBytes(32);
    public static readonly byte[] NewSecret = RandomNumberGenerator.GetBytes(32);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:SigningKeys:0:Kid", "new"),
        new("Auth:SigningKeys:0:Secret", Convert.ToBase64String(NewSecret)),
        new("Auth:SigningKeys:1:Kid", "old"),
        new("Auth:SigningKeys:1:Secret", Convert.ToBase64String(OldSecret)),
        new("Auth:ActiveKid", "new"),
    ];
}

public sealed class SigningKeyRotationTests(RotatingKeysApp app) : IClassFixture<RotatingKeysApp>
{
    /// <summary>The same claims as the caller's token, signed with another key.</summary>
    private static string Resign(Caller caller, string kid, byte[] secret) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "wrk-copilot",
            Audience = "wrk-copilot-api",
            IssuedAt = DateTime.UtcNow,
            NotBefore = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = caller.UserId.ToString(),
                ["tenant_id"] = caller.TenantId.ToString(),
                ["roles"] = new[] { "admin" },
                ["sid"] = Arrange.SessionFamily(caller.AccessToken).ToString(),
                ["jti"] = Guid.NewGuid().ToString(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = kid }, SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task New_tokens_are_signed_with_the_active_key_and_tokens_of_the_old_key_stay_valid()
    {
        var caller = await app.SignUpAsync();
        Assert.Equal("new", new JsonWebToken(caller.AccessToken).Kid);

        var (status, body) = await app.MeAsync(Resign(caller, "old", RotatingKeysApp.OldSecret));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(caller.UserId, body.GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_token_signed_by_a_key_that_is_not_configured_is_401()
    {
        var caller = await app.SignUpAsync();
        var unknown = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(Resign(caller, "retired", unknown))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(Resign(caller, "old", unknown))).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(caller.AccessToken)).Status);
    }
}
