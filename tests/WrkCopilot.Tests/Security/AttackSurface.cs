using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>One route of the running app as an attacker sees it: method, template and who it admits.</summary>
public sealed record ApiRoute(string Method, string Template, AccessRequirement? Access, AnyUserRequirement? AnyUser)
{
    public string Name => $"{Method} {Template}";

    public bool AdmitsApiKeys => Access?.Permission is not null || AnyUser?.AllowApiKeys == true;

    public bool HasBody => Method is "POST" or "PUT" or "PATCH";

    /// <summary>The template with every <c>{parameter}</c> filled by <paramref name="value"/> (or a fresh id).</summary>
    public string Url(Func<string, string?>? value = null) =>
        Regex.Replace(Template, @"\{(\w+)(:[^}]*)?\}", m => value?.Invoke(m.Groups[1].Value) ?? Guid.NewGuid().ToString());
}

/// <summary>
/// The authenticated surface, read from the app's <c>EndpointDataSource</c> (as <see cref="EndpointDeclarationTests"/> does), so an
/// endpoint added later is attacked without anyone listing it; and a fingerprint of every table to prove a refused request changed nothing.
/// </summary>
public static class AttackSurface
{
    public static List<ApiRoute> AuthenticatedRoutes(WrkApp app)
    {
        var routes = ApiSurface.All(app).Where(o => o.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(o => new ApiRoute(o.Method, o.Route, o.Metadata.GetMetadata<AccessRequirement>(), o.Metadata.GetMetadata<AnyUserRequirement>()))
            .ToList();
        Assert.True(routes.Count > 40, $"only {routes.Count} authenticated routes found");
        return routes;
    }

    /// <summary>One route per area of the API (the path segment after <c>/v1/</c>), for the attacks not worth every route.</summary>
    public static List<ApiRoute> OnePerArea(IEnumerable<ApiRoute> routes) =>
        routes.GroupBy(r => r.Template.Split('/')[2]).Select(g => g.First()).ToList();

    /// <summary>Runs <paramref name="probe"/> over <paramref name="cases"/> a few at a time; the failure lines it returned.</summary>
    public static async Task<List<string>> SweepAsync<T>(IEnumerable<T> cases, Func<T, Task<string?>> probe)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
        {
            if (await probe(c) is { } failure)
            {
                failures.Add(failure);
            }
        });
        return failures.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Sends <paramref name="route"/> with a bearer (or none) and extra headers; a JSON body for POST, PUT and PATCH.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, ApiRoute route, string url, string? authorization,
        string body = "{}", IEnumerable<(string Name, string Value)>? headers = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), url);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (route.HasBody)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    /// <summary>Asserts a refusal: the status, a problem+json body, and no <c>data</c> in it. Returns a failure line or null.</summary>
    public static async Task<string?> RefusedAsync(HttpResponseMessage res, HttpStatusCode expected, string what)
    {
        var text = await res.Content.ReadAsStringAsync();
        if (res.StatusCode != expected)
        {
            return $"{what}: {(int)res.StatusCode} instead of {(int)expected}: {Shorten(text)}";
        }
        if (res.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{what}: {(int)res.StatusCode} as {res.Content.Headers.ContentType?.MediaType}, not problem+json";
        }
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.TryGetProperty("data", out _) ? $"{what}: the refusal carries data: {Shorten(text)}" : null;
    }

    /// <summary>
    /// An md5 of every row of every table (as the owner, so RLS hides nothing), per table: equal before and after means no request
    /// inserted, updated or deleted anything. <paramref name="tenantId"/> restricts it to that tenant's rows (tables with a tenant_id).
    /// </summary>
    public static Task<Dictionary<string, string>> FingerprintAsync(WrkApp app, Guid? tenantId = null) => app.AsOwnerAsync(async conn =>
    {
        var tables = new List<string>();
        await using (var list = new Npgsql.NpgsqlCommand(
            """
            SELECT t.table_name FROM information_schema.tables t
            WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND t.table_name <> '__EFMigrationsHistory'
              AND (@t::uuid IS NULL OR EXISTS (SELECT 1 FROM information_schema.columns c
                   WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'tenant_id'))
            ORDER BY 1
            """, conn))
        {
            list.Parameters.AddWithValue("t", NpgsqlTypes.NpgsqlDbType.Uuid, (object?)tenantId ?? DBNull.Value);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var prints = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            var where = tenantId is null ? "" : " WHERE tenant_id = @t";
            await using var cmd = new Npgsql.NpgsqlCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM \"{table}\" x{where}", conn);
            if (tenantId is { } t)
            {
                cmd.Parameters.AddWithValue("t", t);
            }
            prints[table] = (string)(await cmd.ExecuteScalarAsync())!;
        }
        return prints;
    });

    /// <summary>The tables whose fingerprint differs.</summary>
    public static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order().ToList();

    public static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
