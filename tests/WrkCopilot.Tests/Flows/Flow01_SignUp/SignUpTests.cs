using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow01_SignUp;

public sealed class SignUpTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Sign_up_creates_user_client_workspace_admin_membership_and_tokens()
    {
        var email = Identities.NewEmail();
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email, password = Identities.Password, name = "Ada", workspace_name = "Ada Co" });

        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var data = (await res.ReadAsync()).GetProperty("data");
        Assert.Equal("Bearer", data.GetProperty("token_type").GetString());
        Assert.Equal(900, data.GetProperty("expires_in").GetInt32());
        Assert.Equal("admin", Assert.Single(data.GetProperty("roles").EnumerateArray()).GetString());
        var tenantId = data.GetProperty("tenant_id").GetGuid();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tenants WHERE id = @t AND kind = 'client' AND name = 'Ada Co'", ("t", tenantId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM memberships WHERE tenant_id = @t AND roles = ARRAY['admin']", ("t", tenantId)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @t", ("t", tenantId)));
        // Stored hashed, never in clear.
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM users WHERE password_hash LIKE '%' || @p || '%'", ("p", Identities.Password)));
    }

    [Fact]
    public async Task Duplicate_email_in_any_case_is_409_and_writes_nothing()
    {
        var email = Identities.NewEmail();
        await app.SignUpAsync(email);
        var tenantsBefore = await app.CountAsync("SELECT count(*) FROM tenants");

        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email = email.ToUpperInvariant(), password = Identities.Password, name = "X", workspace_name = "Y" });

        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        var problem = await res.ReadAsync();
        Assert.Equal("email_taken", problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("request_id").GetString()));
        Assert.Equal(tenantsBefore, await app.CountAsync("SELECT count(*) FROM tenants"));
    }

    [Theory]
    [InlineData("not-an-email", "correct-Horse-battery-9", "$.email")]
    [InlineData("a@b.test", "short", "$.password")]
    [InlineData("a@b.test", "password1234", "$.password")]
    public async Task Bad_input_is_400_naming_the_field(string email, string password, string field)
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/signup", new { email, password, name = "X", workspace_name = "Y" });

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var problem = await res.ReadAsync();
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Malformed_json_and_unknown_fields_are_400_not_500()
    {
        using var client = app.Client();
        var res = await client.PostAsync("/v1/auth/signup", new StringContent("{\"email\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);

        var smuggled = await client.PostJsonAsync("/v1/auth/signup", new { email = Identities.NewEmail(), password = Identities.Password, name = "X", workspace_name = "Y", tenant_id = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, smuggled.StatusCode);
    }
}
