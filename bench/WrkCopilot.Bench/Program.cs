using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using WrkCopilot.Features.Integrations.WrkPlatform;

// Webhook load generator (issue 7, item 1): pre-signs every body before the clock starts, so signing never limits the rate,
// then posts them at each concurrency level and prints one tab-separated line per level:
// concurrency, events, seconds, events/s, p50 ms, p99 ms, non-2xx responses.
var options = Options.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 256,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
})
{
    BaseAddress = new Uri(options.Url),
    Timeout = TimeSpan.FromSeconds(60),
};

if (options.Lag is { } lag)
{
    // Aggregation lag (issue 7, item 3): a paced, open-loop load; prints one line (see RunLagAsync).
    Console.WriteLine(await LagProbe.RunAsync(http, options, lag));
    return 0;
}

// Warm-up (JIT, connection pool, PostgreSQL caches): not measured.
await RunLevelAsync(http, Bodies.Sign(options, "warmup", options.Warmup), 16);

foreach (var concurrency in options.Concurrency)
{
    var requests = Bodies.Sign(options, $"c{concurrency}", options.Count);
    var result = await RunLevelAsync(http, requests, concurrency);
    Console.WriteLine(string.Join('\t',
        concurrency,
        result.Count,
        result.Seconds.ToString("F2", CultureInfo.InvariantCulture),
        (result.Count / result.Seconds).ToString("F0", CultureInfo.InvariantCulture),
        result.P50.ToString("F2", CultureInfo.InvariantCulture),
        result.P99.ToString("F2", CultureInfo.InvariantCulture),
        result.Failures));
}
return 0;

static async Task<LevelResult> RunLevelAsync(HttpClient http, SignedRequest[] requests, int concurrency)
{
    var latencies = new double[requests.Length];
    var next = -1;
    var failures = 0;
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < requests.Length)
        {
            var r = requests[i];
            using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wrk-run-event")
            {
                Content = new ByteArrayContent(r.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            message.Headers.Add(WebhookSignatures.IdHeader, r.Id);
            message.Headers.Add(WebhookSignatures.TimestampHeader, r.Timestamp);
            message.Headers.Add(WebhookSignatures.SignatureHeader, r.Signature);
            var start = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(message);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                if (Interlocked.Increment(ref failures) == 1)
                {
                    await Console.Error.WriteLineAsync($"first failure: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
    }).ToArray();
    await Task.WhenAll(workers);
    var seconds = clock.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    return new LevelResult(requests.Length, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), failures);
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

internal static class Bodies
{
    public static SignedRequest[] Sign(Options o, string label, int count)
    {
        var started = DateTimeOffset.UtcNow.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var completed = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var batch = Guid.NewGuid().ToString("N");
        var requests = new SignedRequest[count];
        for (var i = 0; i < count; i++)
        {
            var body = Encoding.UTF8.GetBytes(
                "{\"workflow_id\":\"" + o.Workflow + "\",\"run_id\":\"run_" + batch + "_" + label + "_" + i.ToString(CultureInfo.InvariantCulture) +
                "\",\"status\":\"succeeded\",\"started_at\":\"" + started + "\",\"completed_at\":\"" + completed +
                "\",\"error_message\":null,\"cost\":\"0.0125\",\"metadata\":{\"trigger\":\"schedule\"}}");
            var id = $"msg_{batch}_{label}_{i}";
            requests[i] = new SignedRequest(body, id, timestamp.ToString(CultureInfo.InvariantCulture),
                WebhookSignatures.Sign(o.Secret, id, timestamp, body));
        }
        return requests;
    }
}

internal sealed record SignedRequest(byte[] Body, string Id, string Timestamp, string Signature);

internal sealed record LevelResult(int Count, double Seconds, double P50, double P99, int Failures);

internal sealed record LagOptions(int Rate, int Seconds, string Database, Guid VersionId);

internal sealed record Options(string Url, string Secret, string Workflow, int Count, int Warmup, int[] Concurrency, LagOptions? Lag)
{
    public static Options Parse(string[] args)
    {
        string Arg(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1]
                : fallback ?? throw new ArgumentException($"missing {name}");
        }
        return new Options(
            Arg("--url"),
            Arg("--secret"),
            Arg("--workflow"),
            int.Parse(Arg("--count", "5000"), CultureInfo.InvariantCulture),
            int.Parse(Arg("--warmup", "500"), CultureInfo.InvariantCulture),
            Arg("--concurrency", "1,16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
            args.Contains("--lag")
                ? new LagOptions(int.Parse(Arg("--rate", "1000"), CultureInfo.InvariantCulture),
                    int.Parse(Arg("--seconds", "60"), CultureInfo.InvariantCulture), Arg("--database"), Guid.Parse(Arg("--version")))
                : null);
    }
}
