using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Behind a TLS-terminating proxy every connection comes from the proxy, so per-IP anonymous rate limits would
/// put all clients in one bucket. With <c>Http:ForwardedHeaders:KnownProxies</c>/<c>KnownNetworks</c> set, the
/// client IP and scheme are taken from the last <c>X-Forwarded-For</c>/<c>-Proto</c> hop, and only when the
/// connection comes from one of those proxies. With neither set the headers are ignored: any client can send
/// them, and believing them would let an attacker pick a fresh bucket per request or exhaust someone else's.
/// </summary>
internal static class ForwardedHeadersSetup
{
    public static WebApplication UseWrkForwardedHeaders(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<HttpOptions>>().Value.ForwardedHeaders;
        if (settings.KnownProxies.Count == 0 && settings.KnownNetworks.Count == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // One proxy in front of us: only its own hop is trusted, never what the client put before it.
            ForwardLimit = 1,
        };
        // Only the configured proxies: the loopback defaults would also trust a sidecar nobody declared.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var ip)
                ? ip
                : throw new InvalidOperationException($"Http:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
        }
        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var net)
                ? net
                : throw new InvalidOperationException($"Http:ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR network."));
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
