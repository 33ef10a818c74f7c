using System.Net.Http.Headers;
using System.Text.Json;
using CsCheck;
using WrkCopilot.Features.Integrations.WrkPlatform;
using WrkCopilot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WrkCopilot.Tests.Security.Fuzzing;

/// <summary>
/// Every endpoint of the running app (read from its EndpointDataSource, so a new one is fuzzed without anyone remembering),
/// called by a caller it admits with hostile bodies, query strings, headers and route ids: never a 5xx; every 4xx is
/// problem+json with a <c>code</c> (and a 400 to an endpoint that reads a JSON body names fields in <c>errors</c>); and a refused
/// request writes no row in any table. A fixed list of the nastiest inputs runs for every endpoint, then
/// <see cref="RandomCasesPerEndpoint"/> CsCheck-generated ones from a fixed seed (set <c>WRK_FUZZ_SEED</c> to replay another).
/// </summary>
public sealed class EndpointFuzzTests(RunEventsApp app, ITestOutputHelper output) : IClassFixture<RunEventsApp>
{
    private const int RandomCasesPerEndpoint = 30;
    private const string DefaultSeed = "0000000000001";

    /// <summary>
    /// Tables a refusal may change, and why. <c>idempotency_keys</c>: a 4xx answer to a creating POST that carried an
    /// Idempotency-Key is kept so that a retry with the same key replays it instead of running again (IdempotencyMiddleware:
    /// only 409, 429 and 5xx answers free the key). It stores the refusal, not the refused work.
    /// </summary>
    private static readonly HashSet<string> MayChangeOnRefusal = ["idempotency_keys"];

    [Fact]
    public async Task Every_endpoint_refuses_hostile_input_with_a_problem_and_writes_nothing()
    {
        _ = app.Server;
        var seed = Environment.GetEnvironmentVariable("WRK_FUZZ_SEED") is { Length: > 0 } s ? s : DefaultSeed;
        var targets = FuzzTarget.All(app);
        Assert.NotEmpty(targets);
        var world = await FuzzWorld.BuildAsync(app);
        await using var rows = await RowCounts.OpenAsync(app.OwnerConnectionString);
        using var http = app.Client();
        var failures = new List<string>();
        var total = 0;
        var statuses = new SortedDictionary<int, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var target in targets)
        {
            var runner = new CaseRunner(world, rows, http, target, statuses);
            await runner.StartAsync();
            foreach (var c in FuzzInputs.Deterministic(target))
            {
                total++;
                if (await runner.RunAsync(c) is { } failure)
                {
                    failures.Add($"{target.Name}: {failure}\n    input: {c}");
                }
            }
            // CsCheck reports the smallest failing input it found; the reason is looked up by its printed form.
            var reasons = new Dictionary<string, string>();
            try
            {
                await FuzzInputs.Cases(target).SampleAsync(async c =>
                {
                    total++;
                    if (await runner.RunAsync(c) is { } failure)
                    {
                        reasons[c.ToString()] = failure;
                        throw new InvalidOperationException(failure);
                    }
                }, seed: seed, iter: RandomCasesPerEndpoint, threads: 1, print: c => c.ToString());
            }
            catch (CsCheckException ex)
            {
                var reason = reasons.Where(r => ex.Message.Contains(r.Key, StringComparison.Ordinal)).Select(r => r.Value).FirstOrDefault();
                failures.Add($"{target.Name} (random): {reason}\n    {ex.Message}");
            }
        }
        output.WriteLine($"Fuzzed {targets.Count} endpoints with {total} cases in {clock.Elapsed.TotalSeconds:F0} s (seed {seed}, " +
                         $"{RandomCasesPerEndpoint} random per endpoint plus the fixed list); statuses: {string.Join(", ", statuses.Select(kv => $"{kv.Key}×{kv.Value}"))}; {failures.Count} failures.");
        Assert.True(failures.Count == 0, $"{failures.Count} failing cases:\n" + string.Join("\n", failures));
    }

    /// <summary>Sends the cases of one endpoint as its caller and checks each answer and the tables.</summary>
    private sealed class CaseRunner(FuzzWorld world, RowCounts rows, HttpClient http, FuzzTarget target,
        SortedDictionary<int, int> statuses)
    {
        private string? _credential;
        private Dictionary<string, long> _counts = [];

        public async Task StartAsync()
        {
            _credential = await world.CredentialAsync(target);
            _counts = await rows.ReadAsync();
        }

        /// <summary>The failure, or null when the answer is acceptable.</summary>
        public async Task<string?> RunAsync(FuzzCase c)
        {
            using var request = new HttpRequestMessage(new HttpMethod(target.Method), world.Path(target, c.RouteText) + c.Query);
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                if (c.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
                }
            }
            foreach (var (name, value) in c.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            if (_credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _credential);
            }
            if (target.Caller == CallAs.SignedWebhook && c.WithSignature)
            {
                var id = "msg_" + Guid.NewGuid().ToString("N");
                var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                request.Headers.TryAddWithoutValidation(WebhookSignatures.IdHeader, id);
                request.Headers.TryAddWithoutValidation(WebhookSignatures.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation(WebhookSignatures.SignatureHeader, WebhookSignatures.Sign(RunEventsApp.Secret, id, ts, c.Body ?? []));
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (Exception ex)
            {
                return $"the server threw {ex.GetType().Name}: {ex.Message}";
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status < 400)
                {
                    // A success may write (and may end the caller's session, e.g. logout): start the next case afresh.
                    if (target.Method != "GET")
                    {
                        _credential = await world.CredentialAsync(target);
                    }
                    _counts = await rows.ReadAsync();
                    return null;
                }
                var text = await response.Content.ReadAsStringAsync();
                var failure = status >= 500 ? $"{status}: {Cut(text)}" : Problem(response, status, text, c);
                var after = await rows.ReadAsync();
                var written = after.Where(kv => kv.Value != _counts.GetValueOrDefault(kv.Key) && !MayChangeOnRefusal.Contains(kv.Key))
                    .Select(kv => $"{kv.Key} {_counts.GetValueOrDefault(kv.Key)}→{kv.Value}").ToList();
                _counts = after;
                if (written.Count > 0)
                {
                    failure = (failure is null ? "" : failure + "; ") + $"{status} refusal changed rows: {string.Join(", ", written)}";
                }
                return failure;
            }
        }

        private string? Problem(HttpResponseMessage response, int status, string text, FuzzCase c)
        {
            if (response.Content.Headers.ContentType?.MediaType != WrkCopilot.Features.Kernel.Errors.Problem.ContentType)
            {
                return $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {Cut(text)}";
            }
            JsonElement body;
            try
            {
                body = JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException)
            {
                return $"{status} problem is not JSON: {Cut(text)}";
            }
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String ||
                code.GetString() is not { Length: > 0 })
            {
                return $"{status} problem without a code: {Cut(text)}";
            }
            if (status == 400 && target.TakesBody && target.Body.Count > 0 && c.Body is not null &&
                (!body.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object || !errors.EnumerateObject().Any()))
            {
                return $"400 names no field: {Cut(text)}";
            }
            return null;
        }

        private static string Cut(string text) => text.Length > 400 ? text[..400] + "…" : text;
    }
}
