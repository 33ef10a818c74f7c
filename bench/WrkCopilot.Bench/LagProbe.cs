using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Npgsql;
using WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>
/// Posts pre-signed events at a fixed rate (open loop: each event has its due time, so a slow answer does not slow the
/// offered load) while polling the version's daily run_count in usage_aggregates. The k-th accepted event counts as
/// aggregated when the count first reaches k (the drain takes changes in insertion order). Prints, tab-separated:
/// accepted, offered seconds, achieved events/s, lag p50 ms, p99 ms, max ms, events counted in usage_aggregates.
/// </summary>
internal static class LagProbe
{
    public static async Task<string> RunAsync(HttpClient http, Options options, LagOptions lag)
    {
        var total = lag.Rate * lag.Seconds;
        var requests = Bodies.Sign(options, "lag", total);
        await using var data = NpgsqlDataSource.Create(lag.Database);
        var baseline = await CountAsync(data, lag.VersionId);

        var accepted = new double[total];
        var ok = new bool[total];
        var clock = Stopwatch.StartNew();
        var polls = new List<(double At, long Count)>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var count = await CountAsync(data, lag.VersionId) - baseline;
                polls.Add((clock.Elapsed.TotalMilliseconds, count));
                if (count >= total)
                {
                    return;
                }
                await Task.Delay(50);
            }
        });

        var next = -1;
        var workers = Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var due = i * 1000.0 / lag.Rate;
                var wait = due - clock.Elapsed.TotalMilliseconds;
                if (wait > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                }
                var r = requests[i];
                using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wrk-run-event")
                {
                    Content = new ByteArrayContent(r.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
                message.Headers.Add(WebhookSignatures.IdHeader, r.Id);
                message.Headers.Add(WebhookSignatures.TimestampHeader, r.Timestamp);
                message.Headers.Add(WebhookSignatures.SignatureHeader, r.Signature);
                using var response = await http.SendAsync(message);
                accepted[i] = clock.Elapsed.TotalMilliseconds;
                ok[i] = response.IsSuccessStatusCode;
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        // Every accepted event should be counted within the drain interval; give up after a minute.
        await Task.WhenAny(poller, Task.Delay(TimeSpan.FromSeconds(60)));
        await stop.CancelAsync();
        await poller.WaitAsync(TimeSpan.FromSeconds(5));

        var times = accepted.Where((_, i) => ok[i]).Order().ToArray();
        var lags = new List<double>(times.Length);
        var p = 0;
        for (var k = 0; k < times.Length; k++)
        {
            while (p < polls.Count && polls[p].Count < k + 1)
            {
                p++;
            }
            if (p == polls.Count)
            {
                break; // never counted: shows as counted < accepted
            }
            lags.Add(Math.Max(0, polls[p].At - times[k]));
        }
        lags.Sort();
        double Pct(double q) => lags.Count == 0 ? double.NaN : lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(q * lags.Count) - 1)];
        var counted = polls.Count == 0 ? 0 : polls[^1].Count;
        return string.Join('\t', times.Length, sendSeconds.ToString("F1", CultureInfo.InvariantCulture),
            (times.Length / sendSeconds).ToString("F0", CultureInfo.InvariantCulture),
            Pct(0.50).ToString("F0", CultureInfo.InvariantCulture), Pct(0.99).ToString("F0", CultureInfo.InvariantCulture),
            (lags.Count == 0 ? double.NaN : lags[^1]).ToString("F0", CultureInfo.InvariantCulture), counted);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource data, Guid versionId)
    {
        await using var cmd = data.CreateCommand(
            "SELECT coalesce(sum(run_count), 0)::bigint FROM usage_aggregates WHERE automation_version_id = $1 AND granularity = 'day'");
        cmd.Parameters.Add(new NpgsqlParameter { Value = versionId });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
