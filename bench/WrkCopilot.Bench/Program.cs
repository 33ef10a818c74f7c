using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using WrkCopilot.Features.Integrations.WrkPlatform;

// The harness's load generator and raw baseline, driven by bench/run.sh:
// - default: webhook ingestion (issue 7, item 1). Pre-signs every body before the clock starts, so signing never limits the rate,
//   then posts them at each concurrency level and prints one tab-separated line per level (LevelResult.Line).
// - --lag: aggregation lag (item 3, LagProbe). --signup N / --reads [--baseline]: the list read (item 2, ListReads).
// - --serve-baseline: the raw ASP.NET Core + Npgsql endpoint the list read is compared with (Baseline).
string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"missing {name}");
}

if (args.Contains("--serve-baseline"))
{
    // The raw ASP.NET Core + Npgsql endpoint the list read is compared with (issue 7, item 2).
    return await Baseline.ServeAsync(Arg("--url"), Arg("--database"));
}

using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 256,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
})
{
    BaseAddress = new Uri(Arg("--url")),
    Timeout = TimeSpan.FromSeconds(60),
};

if (args.Contains("--signup"))
{
    return await ListReads.SignUpAsync(http, int.Parse(Arg("--signup"), CultureInfo.InvariantCulture));
}
if (args.Contains("--reads"))
{
    return await ListReads.RunAsync(http, Arg("--tokens"), Options.Levels(Arg("--concurrency", "16,64")),
        int.Parse(Arg("--count", "10000"), CultureInfo.InvariantCulture), int.Parse(Arg("--warmup", "1000"), CultureInfo.InvariantCulture),
        int.Parse(Arg("--rounds", "1"), CultureInfo.InvariantCulture), args.Contains("--baseline"));
}

var options = Options.Parse(args);
if (options.Lag is { } lag)
{
    // Aggregation lag (issue 7, item 3): a paced, open-loop load; prints one line (see RunLagAsync).
    Console.WriteLine(await LagProbe.RunAsync(http, options, lag));
    return 0;
}

// Warm-up (JIT, connection pool, PostgreSQL caches): not measured.
var warmup = Bodies.Sign(options, "warmup", options.Warmup);
await Load.RunLevelAsync(http, i => Bodies.Message(warmup[i]), warmup.Length, 16);

var rounds = int.Parse(Arg("--rounds", "1"), CultureInfo.InvariantCulture);
foreach (var concurrency in options.Concurrency)
{
    for (var round = 0; round < rounds; round++)
    {
        var requests = Bodies.Sign(options, $"c{concurrency}r{round}", options.Count);
        var result = await Load.RunLevelAsync(http, i => Bodies.Message(requests[i]), requests.Length, concurrency);
        Console.WriteLine(result.Line(concurrency));
    }
}
return 0;

/// <summary>A closed loop: <c>concurrency</c> workers send requests 0..count-1 in turn, each timed from send to full answer.</summary>
internal static class Load
{
    public static async Task<LevelResult> RunLevelAsync(HttpClient http, Func<int, HttpRequestMessage> request, int count, int concurrency)
    {
        var latencies = new double[count];
        var next = -1;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var message = request(i);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!response.IsSuccessStatusCode && Interlocked.Increment(ref failures) == 1)
                {
                    await Console.Error.WriteLineAsync($"first failure: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new LevelResult(count, seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), failures);
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

internal static class Bodies
{
    public static HttpRequestMessage Message(SignedRequest r)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wrk-run-event")
        {
            Content = new ByteArrayContent(r.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        message.Headers.Add(WebhookSignatures.IdHeader, r.Id);
        message.Headers.Add(WebhookSignatures.TimestampHeader, r.Timestamp);
        message.Headers.Add(WebhookSignatures.SignatureHeader, r.Signature);
        return message;
    }

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

internal sealed record LevelResult(int Count, double Seconds, double P50, double P99, int Failures)
{
    /// <summary>Tab-separated: concurrency, requests, seconds, requests/s, p50 ms, p99 ms, non-2xx answers.</summary>
    public string Line(int concurrency) => string.Join('\t', concurrency, Count, Seconds.ToString("F2", CultureInfo.InvariantCulture),
        (Count / Seconds).ToString("F0", CultureInfo.InvariantCulture), P50.ToString("F2", CultureInfo.InvariantCulture),
        P99.ToString("F2", CultureInfo.InvariantCulture), Failures);
}

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
            Levels(Arg("--concurrency", "1,16,64")),
            args.Contains("--lag")
                ? new LagOptions(int.Parse(Arg("--rate", "1000"), CultureInfo.InvariantCulture),
                    int.Parse(Arg("--seconds", "60"), CultureInfo.InvariantCulture), Arg("--database"), Guid.Parse(Arg("--version")))
                : null);
    }

    public static int[] Levels(string csv) => csv.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
}
