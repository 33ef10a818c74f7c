using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>Read from the running app's endpoints, so an endpoint added later is covered without anyone remembering.</summary>
public sealed class EndpointDeclarationTests(WrkApp app) : IClassFixture<WrkApp>
{
    /// <summary>architecture.md: the only endpoints without a JWT or API key.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "POST /v1/auth/signup",
        "POST /v1/auth/login",
        "POST /v1/auth/refresh",
        "POST /v1/auth/password-reset",
        "POST /v1/auth/password-reset/confirm",
        "POST /v1/invitations/accept",
        "POST /v1/webhooks/wrk-run-event",
    ];

    private List<(string Name, EndpointMetadataCollection Metadata)> ApiEndpoints() =>
        ApiSurface.All(app).Select(o => (o.Name, o.Metadata)).ToList();

    [Fact]
    public void Every_endpoint_declares_who_may_call_it()
    {
        var undeclared = ApiEndpoints()
            .Where(e => e.Metadata.GetMetadata<AccessRequirement>() is null
                        && e.Metadata.GetMetadata<AnyUserRequirement>() is null
                        && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.Name).ToList();
        Assert.True(undeclared.Count == 0, "Endpoints without an access declaration: " + string.Join(", ", undeclared));
    }

    [Fact]
    public void Only_the_endpoints_the_architecture_names_are_anonymous()
    {
        var anonymous = ApiEndpoints().Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.Name).ToList();
        Assert.NotEmpty(anonymous);
        Assert.All(anonymous, name => Assert.Contains(name, Anonymous));
    }

    [Fact]
    public async Task Api_keys_are_refused_on_every_anonymous_endpoint()
    {
        var owner = await app.WorkspaceAdminAsync("keys");
        var key = await app.ApiKeyAsync(owner.TenantId);
        using var client = app.Client(key);
        var anonymous = ApiEndpoints().Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.Name).ToList();
        Assert.NotEmpty(anonymous);
        var users = await app.CountAsync("SELECT count(*) FROM users");
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            email = Identities.NewEmail(), password = Identities.Password, name = "K", workspace_name = "K",
        });
        foreach (var name in anonymous)
        {
            var parts = name.Split(' ');
            using var request = new HttpRequestMessage(new HttpMethod(parts[0]), parts[1])
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            var res = await client.SendAsync(request);
            Assert.True(res.StatusCode == System.Net.HttpStatusCode.Forbidden, $"{name} answered {(int)res.StatusCode} to an API key");
        }
        Assert.Equal(users, await app.CountAsync("SELECT count(*) FROM users"));
    }

    [Fact]
    public void Staff_surface_never_admits_client_roles_or_api_keys()
    {
        var admin = ApiEndpoints().Where(e => e.Name.Split(' ')[1].StartsWith("/v1/admin/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(admin);
        foreach (var (name, metadata) in admin)
        {
            var access = metadata.GetMetadata<AccessRequirement>();
            Assert.True(access is not null, $"{name} must declare staff roles");
            Assert.Null(access.Permission);
            Assert.NotEmpty(access.AllowedRoles);
            Assert.All(access.AllowedRoles, r => Assert.StartsWith("operator:", r, StringComparison.Ordinal));
        }
    }
}
