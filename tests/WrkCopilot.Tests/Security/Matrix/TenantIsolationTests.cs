using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using WrkCopilot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>
/// Tenant B's admin, member, viewer and all-permission API key against tenant A, on every row of <see cref="AccessTable"/>:
/// an id of A's (in the route, a <c>{tenantId}</c> naming A, or an id in a body or query) answers 404 to a B caller the row
/// allows and 403 to one it does not; every list B reads holds none of A's rows; and no answer carries an id or a name of A's
/// that the request did not send (A's rows are named with <see cref="MatrixWorld.Marker"/>).
/// </summary>
public sealed class TenantIsolationTests(MatrixApp app, ITestOutputHelper output) : IClassFixture<MatrixApp>
{
    private sealed record Case(string Name, Access Row, Callers Kind, string Bearer, Func<Task<HttpRequestMessage>> Request, int Expected);

    private static readonly Dictionary<string, Access> ByEndpoint = AccessTable.Rows.ToDictionary(r => r.Endpoint);

    private (Callers Kind, string Bearer)[] BCallers(MatrixWorld w) =>
    [
        (Callers.ClientAdmin, w.BAdmin.AccessToken), (Callers.ClientMember, w.BMember.AccessToken),
        (Callers.ClientViewer, w.BViewer.AccessToken), (Callers.ApiKeyWithPermission, w.BKey),
    ];

    [Fact]
    public async Task Tenant_B_never_reaches_or_sees_tenant_A()
    {
        var w = await app.WorldAsync();
        var fromA = new ParamSource(w.TenantA, w.TenantA, w.AAdmin);
        var fromB = new ParamSource(w.BAdmin.TenantId, w.BAdmin.TenantId, w.BAdmin);

        // 1. Every route naming a resource, with A's ids (and, for /v1/tenants/{tenantId}/…/{id}, B's own tenant with A's id).
        var byId = new List<Case>();
        // B's calls change nothing of A's (or they fail), so the four B callers share one set of A's resources per endpoint.
        foreach (var row in AccessTable.Rows.Where(r => r.Params.Count > 0))
        {
            var ids = new Lazy<Task<IReadOnlyDictionary<string, Guid>>>(() => w.ParamsAsync(row, fromA));
            foreach (var (kind, bearer) in BCallers(w))
            {
                var expected = row.Allows(kind) ? 404 : 403;
                byId.Add(new($"{row.Endpoint} [A's ids]", row, kind, bearer,
                    async () => await w.RequestAsync(row, fromA, bearer, valid: true, await ids.Value), expected));
                if (row.Params.Count > 1 && row.Params[0].Kind == Resource.Tenant)
                {
                    byId.Add(new($"{row.Endpoint} [B's tenant, A's id]", row, kind, bearer, async () =>
                    {
                        var own = new Dictionary<string, Guid>(await ids.Value) { ["tenantId"] = w.BAdmin.TenantId };
                        return await w.RequestAsync(row, fromA, bearer, valid: true, own);
                    }, expected));
                }
            }
        }

        // 2. Ids of A's in a body or a query of B's own request (flows.md: "any id in a body … not in the caller's tenant").
        foreach (var (kind, bearer) in BCallers(w))
        {
            void Add(string endpoint, string what, Func<Task<string>> url, Func<Task<string?>> body)
            {
                var row = ByEndpoint[endpoint];
                byId.Add(new($"{endpoint} [{what}]", row, kind, bearer,
                    async () => Json(row.Method, await url(), bearer, await body()), row.Allows(kind) ? 404 : 403));
            }
            Add("POST /v1/messages", "A's project_id", () => Task.FromResult("/v1/messages"), async () =>
                $$"""{"project_id":"{{await w.NewAsync(Resource.Project, fromA)}}","type":"client","text":"hello"}""");
            Add("POST /v1/messages", "A's automation_version_id", () => Task.FromResult("/v1/messages"), async () =>
                $$"""{"automation_version_id":"{{await w.NewAsync(Resource.Version, fromA)}}","type":"client","text":"hello"}""");
            Add("POST /v1/automations", "A's owner_id", () => Task.FromResult("/v1/automations"), () => Task.FromResult<string?>(
                $$"""{"name":"Mine","description":"d","department":"ops","owner_id":"{{w.AMember.UserId}}"}"""));
            Add("GET /v1/automation-versions/{id}/diff", "B's version, A's against", async () =>
                $"/v1/automation-versions/{await w.NewAsync(Resource.Version, fromB)}/diff?against={await w.NewAsync(Resource.Version, fromA)}",
                () => Task.FromResult<string?>(null));
        }

        var failures = new ConcurrentBag<string>();
        using var http = app.CreateClient();
        await ControlAsync(w, fromA, http, failures);
        await Parallel.ForEachAsync(byId, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
        {
            using var request = await c.Request();
            var sent = request.RequestUri!.ToString() + (request.Content is null ? "" : await request.Content.ReadAsStringAsync());
            using var res = await http.SendAsync(request);
            var body = await res.Content.ReadAsStringAsync();
            if ((int)res.StatusCode != c.Expected)
            {
                failures.Add($"{c.Name} as B's {c.Kind}: expected {c.Expected}, got {(int)res.StatusCode} {Snippet(body)}");
            }
            if (Leak(w, body, sent) is { } leak)
            {
                failures.Add($"{c.Name} as B's {c.Kind}: the answer shows A's {leak}");
            }
        });

        // 3. Every list B can read (and B's own /v1/tenants/{tenantId}/… lists), once A holds rows of every kind.
        var lists = AccessTable.Rows.Where(r => r.Shape == Resource.List && r.Params.Count == 0)
            .Concat(AccessTable.Rows.Where(r => r.Method == "GET" && r.Params.Count == 1 && r.Params[0].Kind == Resource.Tenant))
            .ToList();
        var listChecks = 0;
        foreach (var row in lists)
        {
            foreach (var (kind, bearer) in BCallers(w))
            {
                listChecks++;
                using var request = await w.RequestAsync(row, fromB, bearer, valid: true);
                using var res = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var expected = row.Allows(kind) ? 200 : 403;
                if ((int)res.StatusCode != expected)
                {
                    failures.Add($"{row.Endpoint} as B's {kind}: expected {expected}, got {(int)res.StatusCode}");
                }
                // The event stream never ends; what it may carry is proven by its own tests.
                var body = row.Route == "/v1/events/stream" ? "" : await res.Content.ReadAsStringAsync();
                if (Leak(w, body, "") is { } leak)
                {
                    failures.Add($"{row.Endpoint} as B's {kind}: the list shows A's {leak}");
                }
            }
        }

        output.WriteLine($"{byId.Count} cases on A's ids ({byId.Count(c => c.Expected == 404)} expecting 404) + {listChecks} list reads = " +
                         $"{byId.Count + listChecks} isolation checks, {failures.Count} failures");
        Assert.True(failures.IsEmpty, $"{failures.Count} isolation failures:\n" + string.Join("\n", failures.Order()));
    }

    /// <summary>
    /// The same requests sent by A's own caller (the first of admin, member, viewer, key that the row allows) do not answer 404:
    /// so B's 404s come from the tenant wall, not from a request that would fail anyway.
    /// </summary>
    private static async Task ControlAsync(MatrixWorld w, ParamSource fromA, HttpClient http, ConcurrentBag<string> failures)
    {
        var owners = new (Callers Kind, string Bearer)[]
        {
            (Callers.ClientAdmin, w.AAdmin.AccessToken), (Callers.ClientMember, w.AMember.AccessToken),
            (Callers.ClientViewer, w.AViewer.AccessToken), (Callers.ApiKeyWithPermission, w.AKeys["*"]),
        };
        var rows = AccessTable.Rows.Where(r => r.Params.Count > 0 && owners.Any(o => r.Allows(o.Kind))).ToList();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (row, _) =>
        {
            var owner = owners.First(o => row.Allows(o.Kind));
            using var request = await w.RequestAsync(row, fromA, owner.Bearer, valid: true);
            using var res = await http.SendAsync(request);
            if ((int)res.StatusCode is 404 or 401 or 403 or >= 500)
            {
                var body = await res.Content.ReadAsStringAsync();
                failures.Add($"control: {row.Endpoint} as A's own {owner.Kind} answered {(int)res.StatusCode} {Snippet(body)}");
            }
        });
    }

    /// <summary>An id or name of tenant A's in <paramref name="body"/> that the request itself did not carry.</summary>
    private static string? Leak(MatrixWorld w, string body, string sent)
    {
        if (body.Contains(w.Marker, StringComparison.OrdinalIgnoreCase))
        {
            return "name " + w.Marker;
        }
        var id = w.AIds.FirstOrDefault(id => body.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)
                                             && !sent.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase));
        return id == Guid.Empty ? null : "id " + id;
    }

    private static HttpRequestMessage Json(string method, string url, string bearer, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return request;
    }

    private static string Snippet(string body) => body[..Math.Min(body.Length, 300)];
}
