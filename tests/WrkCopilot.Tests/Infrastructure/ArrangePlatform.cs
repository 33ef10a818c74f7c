using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using WrkCopilot.Features.Integrations.WrkPlatform;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// The app against a WRK Platform over HTTP (a WireMock server, <see cref="Platform"/>), with short attempt timeouts and
/// retry delays so that retry paths run in well under a second.
/// </summary>
public class WrkPlatformHttpApp : WrkApp
{
    public const string Token = "wrk-platform-test-token";

    /// <summary>Generous, so a loaded machine never turns an answer into a timeout; <see cref="WrkPlatformTimeoutApp"/> tests timeouts.</summary>
    public virtual TimeSpan AttemptTimeout => TimeSpan.FromSeconds(5);

    public WireMockServer Platform => ExternalService("wrk-platform");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("WrkPlatform:Mode", "Http"),
        new("WrkPlatform:BaseUrl", Platform.Url),
        new("WrkPlatform:Token", Token),
        new("WrkPlatform:Timeout", AttemptTimeout.ToString("c")),
        new("WrkPlatform:Retries", "2"),
        new("WrkPlatform:RetryDelay", "00:00:00.020"),
        new("WrkPlatform:WebhookSecrets:0", WebhookSignatures.NewSecret()),
        // Validated at start against the client's longest call, which a long AttemptTimeout raises.
        new("Lifecycle:PlatformOperationLease", (AttemptTimeout * 10 + TimeSpan.FromMinutes(5)).ToString("c")),
    ];
}

/// <summary>A platform client whose attempts time out after 0.3 s, against a platform that answers after seconds.</summary>
public sealed class WrkPlatformTimeoutApp : WrkPlatformHttpApp
{
    public override TimeSpan AttemptTimeout => TimeSpan.FromMilliseconds(300);
}

/// <summary>The app with its simulated platform delivering run events to a WireMock server (<see cref="Webhook"/>) over HTTP.</summary>
public class SimulatorApp : WrkApp
{
    public const string WebhookPath = "/v1/webhooks/wrk-run-event";

    public WireMockServer Webhook => ExternalService("webhook");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("WrkPlatform:Simulator:WebhookUrl", Webhook.Url + WebhookPath),
    ];
}

public static class ArrangePlatform
{
    /// <summary>A <c>build_requested</c> job for a version, as <c>RequestBuildEffect</c> writes it (Flow 21).</summary>
    public static Task<Guid> BuildJobAsync(this WrkApp app, Guid tenantId, Guid versionId, int attempts = 0, int maxAttempts = 8,
        string reason = "quote_signed") =>
        app.InsertJobAsync("build_requested", new { automation_version_id = versionId, quote_id = (Guid?)null, reason, notes = (string?)null },
            tenantId: tenantId, queue: "build-requests", attempts: attempts, maxAttempts: maxAttempts);

    /// <summary>The app's WRK Platform client (the simulator or the HTTP one, as configured).</summary>
    public static IWrkPlatformClient PlatformClient(this WrkApp app) => app.Services.GetRequiredService<IWrkPlatformClient>();

    public static SimulatedWrkPlatform Simulator(this WrkApp app) => app.Services.GetRequiredService<SimulatedWrkPlatform>();

    /// <summary>A blueprint as a JSON element.</summary>
    public static JsonElement Blueprint(string json = """{"schema_version":1,"summary":"s","sections":[],"metadata":{}}""") =>
        JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The run events a WireMock webhook received, with whether each one's signature verifies with the app's secrets.</summary>
    public static List<(JsonElement Body, WebhookVerification Verification)> ReceivedRunEvents(this WrkApp app, WireMockServer webhook)
    {
        var keys = app.Services.GetRequiredService<WebhookSecretKeys>().Keys;
        return webhook.LogEntries.Select(e =>
        {
            var h = e.RequestMessage.Headers!;
            var body = e.RequestMessage.BodyAsBytes ?? System.Text.Encoding.UTF8.GetBytes(e.RequestMessage.Body ?? "");
            var verification = WebhookSignatures.Verify(keys, h[WebhookSignatures.IdHeader].Single(), h[WebhookSignatures.TimestampHeader].Single(),
                h[WebhookSignatures.SignatureHeader].Single(), body, DateTimeOffset.UtcNow);
            return (JsonDocument.Parse(body).RootElement.Clone(), verification);
        }).ToList();
    }
}
