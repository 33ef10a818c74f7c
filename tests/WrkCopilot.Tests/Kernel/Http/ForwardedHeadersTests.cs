using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

/// <summary>Every request arrives from 10.1.2.3, as through a reverse proxy (TestServer has no remote IP of its own).</summary>
public class BehindProxyApp : WrkApp
{
    public const string ProxyIp = "10.1.2.3";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("Http:AnonymousRequestsPerMinute", "2")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, FromProxy>());
    }

    private sealed class FromProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((ctx, nextMiddleware) =>
            {
                ctx.Connection.RemoteIpAddress = IPAddress.Parse(ProxyIp);
                return nextMiddleware(ctx);
            });
            next(app);
        };
    }
}

public sealed class TrustedProxyApp : BehindProxyApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [.. base.Settings(), new("Http:ForwardedHeaders:KnownProxies:0", ProxyIp)];
}

internal static class ForwardedCalls
{
    /// <summary>An anonymous call as the proxy relays it for <paramref name="clientIp"/>.</summary>
    public static async Task<HttpStatusCode> AnonymousCallFromAsync(this WrkApp app, string clientIp)
    {
        using var client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/password-reset")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email = "nobody@example.test" }),
        };
        request.Headers.Add("X-Forwarded-For", clientIp);
        return (await client.SendAsync(request)).StatusCode;
    }
}

public sealed class ForwardedHeadersTests(TrustedProxyApp app) : IClassFixture<TrustedProxyApp>
{
    [Fact]
    public async Task Behind_a_known_proxy_each_forwarded_client_ip_has_its_own_anonymous_bucket()
    {
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.2"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.2"));
    }
}

public sealed class UntrustedForwardedHeadersTests(BehindProxyApp app) : IClassFixture<BehindProxyApp>
{
    [Fact]
    public async Task Without_a_configured_proxy_x_forwarded_for_is_ignored_and_all_clients_share_one_bucket()
    {
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.1"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await app.AnonymousCallFromAsync("203.0.113.3"));
    }
}
