using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security;

/// <summary>Two workspaces: the caller's (A) and the victim (B), each with an automation, a version, a project, a task and an API key.</summary>
public sealed record SmugglingWorld(Caller Admin, string Key, ArrangedVersion Own, Caller Victim, ArrangedVersion Theirs, Guid TheirTask, Guid TheirKeyId)
{
    /// <summary>Strings that only B's data contains: none may appear in an answer to A.</summary>
    public IEnumerable<string> Markers =>
    [
        Victim.TenantId.ToString(), Victim.UserId.ToString(), Victim.Email, Theirs.AutomationId.ToString(), Theirs.VersionId.ToString(),
        Theirs.ProjectId.ToString(), TheirTask.ToString(), TheirKeyId.ToString(), SmugglingApp.VictimName,
    ];
}

/// <summary>The app of <see cref="TenantSmugglingTests"/>, with its world built on first use.</summary>
public sealed class SmugglingApp : WrkApp
{
    public const string VictimName = "Victim's secret automation";
    private readonly Lazy<Task<SmugglingWorld>> _world;

    public SmugglingApp() => _world = new(BuildAsync);

    public Task<SmugglingWorld> World => _world.Value;

    private async Task<SmugglingWorld> BuildAsync()
    {
        var admin = await this.WorkspaceAdminAsync("Caller");
        var own = await this.VersionAsync(admin.TenantId, "intake_in_progress", name: "Own automation");
        await this.TaskAsync(admin.TenantId, "automation_version", own.VersionId, "todo");
        var key = await this.ApiKeyAsync(admin.TenantId, admin.UserId);

        var victim = await this.WorkspaceAdminAsync("Victim");
        var theirs = await this.VersionAsync(victim.TenantId, "intake_in_progress", name: VictimName);
        var task = await this.TaskAsync(victim.TenantId, "automation_version", theirs.VersionId, "todo");
        await this.ApiKeyAsync(victim.TenantId, victim.UserId);
        var keyId = await this.ScalarAsync<Guid>("SELECT id FROM api_keys WHERE tenant_id = @t", ("t", victim.TenantId));
        return new SmugglingWorld(admin, key, own, victim, theirs, task, keyId);
    }
}

/// <summary>
/// Issue 8, item 4 (tenant smuggling): architecture.md says the tenant comes only from the JWT or API key. Another workspace's id put in
/// the body (<c>tenant_id</c>), the query string and the usual tenant headers never makes a request read or write that workspace: on every
/// authenticated endpoint (read from <c>EndpointDataSource</c>) no answer names anything of B and none of B's rows changes; on
/// representative endpoints, writes land in the caller's own workspace or are refused.
/// </summary>
public sealed class TenantSmugglingTests(SmugglingApp app) : IClassFixture<SmugglingApp>
{
    private static readonly string[] TenantHeaders = ["X-Tenant-Id", "X-Tenant", "Tenant-Id", "X-Wrk-Tenant", "X-Organization-Id", "X-Workspace-Id"];

    /// <summary>
    /// Not swept: logout would end the caller's session; the event stream never ends (its own tests cover its tenancy); the test-only
    /// endpoints of Kernel/Http/TestEndpoints.cs are no product surface (one of them fails on purpose).
    /// </summary>
    private static bool Swept(ApiRoute r) =>
        r.Name is not ("POST /v1/auth/logout" or "GET /v1/events/stream") && !r.Template.StartsWith("/v1/test/", StringComparison.Ordinal);

    private static (string, string)[] Headers(Guid tenant) => TenantHeaders.Select(h => (h, tenant.ToString())).ToArray();

    private static string Query(Guid tenant) => $"tenant_id={tenant}&tenantId={tenant}&tenant={tenant}";

    private static string WithQuery(string url, string query) => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    /// <summary>The route with B's resource where the path names one (the caller's own workspace in <c>{tenantId}</c>), else a fresh id.</summary>
    private static string Url(ApiRoute route, SmugglingWorld w) => route.Url(p => p switch
    {
        "tenantId" => w.Admin.TenantId.ToString(),
        "userId" => w.Victim.UserId.ToString(),
        _ => route.Template.Split('/')[2] switch
        {
            "automations" => w.Theirs.AutomationId.ToString(),
            "automation-versions" => w.Theirs.VersionId.ToString(),
            "projects" => w.Theirs.ProjectId.ToString(),
            "tasks" => w.TheirTask.ToString(),
            "api-keys" => w.TheirKeyId.ToString(),
            _ => null,
        },
    });

    private static async Task<string?> LeakAsync(HttpResponseMessage res, SmugglingWorld w, string what)
    {
        var text = await res.Content.ReadAsStringAsync();
        if ((int)res.StatusCode >= 500)
        {
            return $"{what}: {(int)res.StatusCode} {AttackSurface.Shorten(text)}";
        }
        var leaked = w.Markers.Where(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)).ToList();
        return leaked.Count == 0 ? null : $"{what}: {(int)res.StatusCode} names B ({string.Join(", ", leaked)}): {AttackSurface.Shorten(text)}";
    }

    private async Task<string> VictimTenantRowAsync(Guid tenant) =>
        (await app.ScalarAsync<string>("SELECT t::text FROM tenants t WHERE id = @t", ("t", tenant)))!;

    [Theory]
    [InlineData("jwt")]
    [InlineData("api key")]
    public async Task Another_tenant_in_body_query_or_headers_of_any_endpoint_neither_shows_nor_changes_that_tenant(string credential)
    {
        var w = await app.World;
        var bearer = "Bearer " + (credential == "jwt" ? w.Admin.AccessToken : w.Key);
        var routes = AttackSurface.AuthenticatedRoutes(app).Where(Swept).ToList();
        var victim = w.Victim.TenantId;
        var before = await AttackSurface.FingerprintAsync(app, victim);
        var victimRow = await VictimTenantRowAsync(victim);
        using var client = app.Client();
        var cases = routes.SelectMany(r => r.HasBody ? new[] { (Route: r, Body: false), (Route: r, Body: true) } : [(Route: r, Body: false)]).ToList();

        // The query string and the headers together; the body separately, since a field it does not know is a 400 by itself.
        var failures = await AttackSurface.SweepAsync(cases, async c =>
        {
            var url = Url(c.Route, w);
            using var res = c.Body
                ? await AttackSurface.SendAsync(client, c.Route, url, bearer, $$"""{"tenant_id":"{{victim}}"}""")
                : await AttackSurface.SendAsync(client, c.Route, WithQuery(url, Query(victim)), bearer, headers: Headers(victim));
            return await LeakAsync(res, w, $"{c.Route.Name} with B in the {(c.Body ? "body" : "query and headers")}");
        });
        var sent = cases.Count;

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests:\n" + string.Join("\n", failures.Take(40)));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app, victim)));
        Assert.Equal(victimRow, await VictimTenantRowAsync(victim));
    }

    [Fact]
    public async Task Reads_with_another_tenant_smuggled_show_only_the_callers_workspace()
    {
        var w = await app.World;
        using var client = app.Client(w.Admin.AccessToken);
        foreach (var (name, value) in Headers(w.Victim.TenantId))
        {
            client.DefaultRequestHeaders.Add(name, value);
        }
        var q = Query(w.Victim.TenantId);

        var list = await (await client.GetAsync($"/v1/automations?{q}")).ExpectAsync(HttpStatusCode.OK);
        var ids = list.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToArray();
        Assert.Contains(w.Own.AutomationId, ids);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM automations WHERE id = ANY(@ids) AND tenant_id <> @t", ("ids", ids), ("t", w.Admin.TenantId)));

        var me = await (await client.GetAsync($"/v1/users/me?{q}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(w.Admin.TenantId.ToString(), me.ToString());
        Assert.Null(await LeakAsync(await client.GetAsync($"/v1/users/me?{q}"), w, "me"));

        // A query parameter named like the route's {tenantId} overrides it (FastEndpoints binds the query after the route): the
        // handler then sees B, which is not the caller's workspace, and answers 404. Refused either way, never B's members.
        var members = await client.GetAsync($"/v1/tenants/{w.Admin.TenantId}/users?{q}");
        Assert.Null(await LeakAsync(members, w, "members"));
        Assert.Null(await AttackSurface.RefusedAsync(members, HttpStatusCode.NotFound, "members with B in the query"));
        var plain = await (await client.GetAsync($"/v1/tenants/{w.Admin.TenantId}/users")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([w.Admin.UserId], plain.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()));

        // Naming B's resource as well is a plain 404.
        var theirs = await client.GetAsync($"/v1/automations/{w.Theirs.AutomationId}?{q}");
        Assert.Null(await AttackSurface.RefusedAsync(theirs, HttpStatusCode.NotFound, "B's automation"));
    }

    [Theory]
    [InlineData("jwt")]
    [InlineData("api key")]
    public async Task A_create_with_another_tenant_in_query_and_headers_lands_in_the_callers_workspace(string credential)
    {
        var w = await app.World;
        using var client = app.Client(credential == "jwt" ? w.Admin.AccessToken : w.Key);
        foreach (var (header, value) in Headers(w.Victim.TenantId))
        {
            client.DefaultRequestHeaders.Add(header, value);
        }
        var before = await AttackSurface.FingerprintAsync(app, w.Victim.TenantId);
        var name = "Smuggled " + Guid.NewGuid().ToString("N")[..8];

        var created = await (await client.PostJsonAsync($"/v1/automations?{Query(w.Victim.TenantId)}", new { name }))
            .ExpectAsync(HttpStatusCode.Created);

        var id = created.GetProperty("data").GetProperty("automation").GetProperty("id").GetGuid();
        Assert.Equal(w.Admin.TenantId, await app.ScalarAsync<Guid>("SELECT tenant_id FROM automations WHERE id = @id", ("id", id)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM automations WHERE name = @n", ("n", name)));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app, w.Victim.TenantId)));
    }

    [Fact]
    public async Task A_tenant_id_or_a_foreign_owner_in_the_body_is_400_and_creates_nothing()
    {
        var w = await app.World;
        using var client = app.Client(w.Admin.AccessToken);
        var before = await AttackSurface.FingerprintAsync(app);
        var name = "Smuggled " + Guid.NewGuid().ToString("N")[..8];

        var withTenant = await client.PostJsonAsync("/v1/automations", new { name, tenant_id = w.Victim.TenantId });
        var withOwner = await client.PostJsonAsync("/v1/automations", new { name, owner_id = w.Victim.UserId });

        Assert.Null(await AttackSurface.RefusedAsync(withTenant, HttpStatusCode.BadRequest, "tenant_id in the body"));
        Assert.True((await withTenant.ReadAsync()).GetProperty("errors").TryGetProperty("$.tenant_id", out _));
        Assert.True((int)withOwner.StatusCode is 400 or 404, $"a foreign owner: {(int)withOwner.StatusCode}");
        Assert.Null(await LeakAsync(withOwner, w, "foreign owner"));
        Assert.Empty(AttackSurface.Changed(before, await AttackSurface.FingerprintAsync(app)));
    }
}
