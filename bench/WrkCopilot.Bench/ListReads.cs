using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

/// <summary>
/// The tenant-scoped list read (issue 7, item 2). <see cref="SignUpAsync"/> makes the workspaces through Flow 1 and prints
/// "tenant id, access token" lines; <see cref="RunAsync"/> reads <c>GET /v1/automations?limit=50</c> with those tokens in turn
/// (service) or the same tenants through the raw baseline, closed loop, and prints a line per concurrency level and round
/// (<see cref="LevelResult.Line"/>).
/// </summary>
internal static class ListReads
{
    public static async Task<int> SignUpAsync(HttpClient http, int count)
    {
        var lines = new string[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var res = await http.PostAsJsonAsync("/v1/auth/signup", new Dictionary<string, string>
                {
                    ["email"] = $"bench-{i}-{Guid.NewGuid():N}@example.test",
                    ["password"] = "bench-Password-" + Guid.NewGuid().ToString("N"),
                    ["name"] = "Bench",
                    ["workspace_name"] = $"Bench list {i}",
                });
                var body = await res.Content.ReadAsStringAsync();
                if (!res.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"signup {i}: {(int)res.StatusCode} {body}");
                }
                var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
                lines[i] = data.GetProperty("tenant_id").GetString() + "\t" + data.GetProperty("access_token").GetString();
            }
        }));
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
        return 0;
    }

    /// <param name="baseline">True: the raw baseline (tenant in the query string); false: the service (JWT).</param>
    public static async Task<int> RunAsync(HttpClient http, string tokensFile, int[] levels, int count, int warmup, int rounds,
        bool baseline)
    {
        var callers = File.ReadAllLines(tokensFile).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(p => (Tenant: p[0], Token: p[1])).ToArray();
        HttpRequestMessage Request(int i)
        {
            var (tenant, token) = callers[i % callers.Length];
            if (baseline)
            {
                return new HttpRequestMessage(HttpMethod.Get, $"/automations?limit=50&tenant={tenant}");
            }
            var message = new HttpRequestMessage(HttpMethod.Get, "/v1/automations?limit=50");
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return message;
        }

        await Load.RunLevelAsync(http, Request, warmup, 16);
        foreach (var concurrency in levels)
        {
            for (var round = 0; round < rounds; round++)
            {
                Console.WriteLine((await Load.RunLevelAsync(http, Request, count, concurrency)).Line(concurrency));
            }
        }
        return 0;
    }
}
