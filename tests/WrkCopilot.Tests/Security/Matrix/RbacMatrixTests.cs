using System.Collections.Concurrent;
using System.Net;
using WrkCopilot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>
/// Every endpoint × every kind of caller, live: a caller outside the endpoint's <see cref="AccessTable"/> row gets 403
/// (anonymous: 401), a caller inside it gets neither (nor a 5xx). Tenant A's own resources, fresh for each allowed call (an
/// archive or a revocation never spoils the next call); staff reach them as staff do (elevation into the resource's tenant),
/// and a <c>{tenantId}</c>, a user, a key or an invitation is of the caller's own tenant. Bodies are <c>{}</c>: the role check
/// is the authorisation middleware's, before FastEndpoints binds or validates, so an allowed caller gets 400, 428 or the
/// endpoint's answer, never a 401/403.
/// </summary>
public sealed class RbacMatrixTests(MatrixApp app, ITestOutputHelper output) : IClassFixture<MatrixApp>
{
    private static readonly Callers[] Kinds =
    [
        Callers.ClientAdmin, Callers.ClientMember, Callers.ClientViewer, Callers.OpsAdmin, Callers.CsAdmin, Callers.OperatorAdmin,
        Callers.ApiKeyWithPermission, Callers.ApiKeyWithoutPermission, Callers.Anonymous,
    ];

    [Fact]
    public async Task Every_endpoint_admits_exactly_the_callers_its_row_allows()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var world = await app.WorldAsync();
        var arranged = clock.Elapsed;
        var mismatches = new ConcurrentBag<string>();
        var allowedAnswers = new ConcurrentDictionary<int, int>();
        var shared = new ConcurrentDictionary<string, Task<IReadOnlyDictionary<string, Guid>>>();
        var cases = AccessTable.Rows.SelectMany(row => Kinds.Select(kind => (row, kind))).ToList();
        using var http = app.CreateClient();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
        {
            var (row, kind) = c;
            var bearer = world.Bearer(kind, row);
            var person = world.Person(kind);
            if (person is not null && row.Endpoint == "POST /v1/auth/logout")
            {
                // Logging out ends the session it is called with: give it its own.
                bearer = (await app.TokenForAsync(person.UserId, person.TenantId, "any")).AccessToken;
            }
            var from = person is not null && (kind & Callers.Staff) != 0
                ? new ParamSource(world.TenantA, world.OperatorAdmin.TenantId, world.OperatorAdmin)
                : new ParamSource(world.TenantA, world.TenantA, world.AAdmin);
            // An allowed call may change its resources, so it gets its own; refused calls share one set per endpoint.
            var fixedParams = row.Allows(kind) ? null : await shared.GetOrAdd(row.Endpoint, _ => world.ParamsAsync(row, from));
            using var request = await world.RequestAsync(row, from, bearer, valid: false, fixedParams);
            using var res = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)res.StatusCode;
            string? problem = null;
            if (row.Allows(kind))
            {
                allowedAnswers.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status == 403 || (status == 401 && !row.OwnCredential) || status >= 500)
                {
                    problem = "an allowed caller";
                }
            }
            else if (status != (kind == Callers.Anonymous ? 401 : 403))
            {
                problem = $"expected {(kind == Callers.Anonymous ? 401 : 403)}";
            }
            if (problem is not null)
            {
                var body = row.Route == "/v1/events/stream" ? "" : await res.Content.ReadAsStringAsync();
                mismatches.Add($"{row.Endpoint} as {kind}: {problem}, got {status} {body[..Math.Min(body.Length, 300)]}");
            }
        });
        output.WriteLine($"{AccessTable.Rows.Count} endpoints × {Kinds.Length} callers = {cases.Count} checks, {mismatches.Count} mismatches; " +
                         $"world arranged in {arranged.TotalSeconds:F1} s, checks in {(clock.Elapsed - arranged).TotalSeconds:F1} s");
        output.WriteLine("Allowed callers' answers: " + string.Join(", ", allowedAnswers.OrderBy(a => a.Key).Select(a => $"{a.Key}×{a.Value}")));
        Assert.Equal(AccessTable.Rows.Count * Kinds.Length, cases.Count);
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {cases.Count} checks failed:\n" + string.Join("\n", mismatches.Order()));
    }
}
