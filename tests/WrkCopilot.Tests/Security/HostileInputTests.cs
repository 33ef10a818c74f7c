using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>Inputs a reviewer found could reach a 5xx: each is a 400 naming the field, and nothing is written.</summary>
public sealed class HostileInputTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Null_lists_are_400_not_500()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        using var client = app.Client(admin.AccessToken);

        var key = await client.PostAsync("/v1/api-keys", Body("""{"name":"k","permissions":null}"""));
        var invite = await client.PostAsync($"/v1/tenants/{admin.TenantId}/invitations", Body("""{"email":"x@example.test","roles":null}"""));
        var roles = await client.PutAsync($"/v1/tenants/{admin.TenantId}/users/{member.UserId}/roles", Body("""{"roles":null}"""));

        await AssertFieldAsync(key, "$.permissions");
        await AssertFieldAsync(invite, "$.roles");
        await AssertFieldAsync(roles, "$.roles");
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM api_keys WHERE tenant_id = @t", ("t", admin.TenantId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM invitations WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_NUL_character_in_text_is_400_on_anonymous_endpoints_too()
    {
        using var client = app.Client();
        var email = Identities.NewEmail();

        var signup = await client.PostAsync("/v1/auth/signup",
            Body($$"""{"email":"{{email}}","password":"{{Identities.Password}}","name":"A","workspace_name":"a\u0000b"}"""));
        var reset = await client.PostAsync("/v1/auth/password-reset", Body("""{"email":"a\u0000@example.test"}"""));

        await AssertFieldAsync(signup, "$.workspace_name");
        await AssertFieldAsync(reset, "$.email");
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM users WHERE email = @e", ("e", email)));
    }

    [Fact]
    public async Task A_NUL_in_a_query_value_is_400_naming_the_parameter()
    {
        var admin = await app.SignUpAsync();
        var staff = await app.StaffAsync();
        using var client = app.Client(admin.AccessToken);
        using var ops = app.Client(staff.AccessToken);

        await AssertFieldAsync(await client.GetAsync("/v1/automations?q=a%00b"), "$.q");
        await AssertFieldAsync(await ops.GetAsync("/v1/admin/jobs?type=%00"), "$.type");
    }

    private static StringContent Body(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task AssertFieldAsync(HttpResponseMessage res, string path)
    {
        var body = await res.ReadAsync();
        Assert.True(res.StatusCode == HttpStatusCode.BadRequest, $"{(int)res.StatusCode}: {body}");
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }
}
