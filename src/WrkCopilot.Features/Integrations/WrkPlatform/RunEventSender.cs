using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>Configuration section <c>WrkPlatform:Simulator</c>: what the in-process platform does on its own.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "WrkPlatform:Simulator";

    /// <summary>Runs per minute emitted for every active workflow; 0 (the default) turns the schedule off.</summary>
    public int RunsPerMinute { get; set; }

    /// <summary>Share of scheduled runs that fail (0–1).</summary>
    public double FailureRate { get; set; } = 0.1;

    /// <summary>Where the simulator delivers run events: this service's own webhook.</summary>
    public string WebhookUrl { get; set; } = "http://localhost:5080/v1/webhooks/wrk-run-event";
}

/// <summary>One run event as the platform delivers it: the raw body and its Standard Webhooks headers.</summary>
public sealed record SignedRunEvent(string WebhookId, long Timestamp, string Signature, byte[] Body);

/// <summary>How the simulator reaches the run-event webhook (HTTP by default; tests post through the in-memory server).</summary>
public interface IRunEventSender
{
    /// <summary>The HTTP status the webhook answered, or null when it could not be reached.</summary>
    Task<int?> SendAsync(SignedRunEvent runEvent, CancellationToken ct);
}

/// <summary>Posts to <see cref="SimulatorOptions.WebhookUrl"/>, as the real platform would.</summary>
internal sealed class HttpRunEventSender(IHttpClientFactory clients, IOptions<SimulatorOptions> options) : IRunEventSender
{
    public const string ClientName = "wrk-platform-simulator";

    public async Task<int?> SendAsync(SignedRunEvent runEvent, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Value.WebhookUrl);
        request.Content = new ByteArrayContent(runEvent.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        AddHeaders(request, runEvent);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public static void AddHeaders(HttpRequestMessage request, SignedRunEvent runEvent)
    {
        request.Headers.Add(WebhookSignatures.IdHeader, runEvent.WebhookId);
        request.Headers.Add(WebhookSignatures.TimestampHeader, runEvent.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignatures.SignatureHeader, runEvent.Signature);
    }
}
