using Microsoft.Extensions.Hosting;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Kernel.Hosting;

/// <summary>Fails the start, not the first request, when configuration is unusable (e.g. no signing keys in production).</summary>
internal sealed class StartupChecks(SigningKeyRing keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = keys.Active; // constructing the ring validates Auth:SigningKeys
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
