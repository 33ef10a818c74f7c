using System.Net.Http.Json;

namespace WrkCopilot.Features.Integrations.Slack;

/// <summary>
/// Posts a message to a Slack incoming webhook (one URL per tenant, <c>tenants.slack_webhook_url</c>).
/// A non-success answer throws <see cref="HttpRequestException"/>: Slack did not take the message.
/// </summary>
public sealed class SlackWebhookClient(HttpClient http)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task PostAsync(string webhookUrl, string text, CancellationToken ct)
    {
        using var res = await http.PostAsJsonAsync(webhookUrl, new SlackMessage(text), ct);
        if (!res.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Slack answered {(int)res.StatusCode}.", null, res.StatusCode);
        }
    }

    private sealed record SlackMessage(string Text);
}
