using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>The app for one matrix class, with its <see cref="MatrixWorld"/> arranged once, on first use.</summary>
public sealed class MatrixApp : WrkApp
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MatrixWorld? _world;

    public async Task<MatrixWorld> WorldAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _world ??= await MatrixWorld.ArrangeAsync(this);
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>Where a request's parameters come from: whose client resources, and whose tenant (users, keys, invitations).</summary>
/// <param name="ResourceTenant">The tenant holding automations, versions, quotes, tasks… (staff reach them by elevation).</param>
/// <param name="IdentityTenant">The tenant a <c>{tenantId}</c> names and whose users, API keys and invitations the ids are.</param>
/// <param name="IdentityAdmin">An admin of <paramref name="IdentityTenant"/> (invitations are created through Flow 3).</param>
public sealed record ParamSource(Guid ResourceTenant, Guid IdentityTenant, Caller IdentityAdmin);

/// <summary>
/// Two client workspaces (A, whose rows carry <see cref="Marker"/> in their names, and B), A's members in each client role,
/// API keys of A with and without each permission, an all-permission key of B, and the three staff roles. Every request
/// gets fresh resources (<see cref="NewAsync"/>), so a destructive call never spoils the next one.
/// </summary>
public sealed class MatrixWorld
{
    private readonly WrkApp _app;
    private int _periods;

    private MatrixWorld(WrkApp app) => _app = app;

    public required string Marker { get; init; }
    public required Caller AAdmin { get; init; }
    public required Caller AMember { get; init; }
    public required Caller AViewer { get; init; }
    public required Caller BAdmin { get; init; }
    public required Caller BMember { get; init; }
    public required Caller BViewer { get; init; }
    public required string BKey { get; init; }
    public required Caller Ops { get; init; }
    public required Caller Cs { get; init; }
    public required Caller OperatorAdmin { get; init; }
    public required Dictionary<string, string> AKeys { get; init; }

    /// <summary>Every id created in tenant A (B's answers must contain none of them).</summary>
    public ConcurrentBag<Guid> AIds { get; } = [];

    public Guid TenantA => AAdmin.TenantId;

    /// <summary>The name a new row of <paramref name="tenantId"/> gets: A's carry <see cref="Marker"/>.</summary>
    private string Name(Guid tenantId, string what) => (tenantId == TenantA ? Marker : "Other") + " " + what;

    public static async Task<MatrixWorld> ArrangeAsync(WrkApp app)
    {
        var marker = "MARKER-A-" + Guid.NewGuid().ToString("N")[..8];
        var aAdmin = await app.WorkspaceAdminAsync(marker + " workspace");
        var bAdmin = await app.WorkspaceAdminAsync("Workspace B");
        var keys = new Dictionary<string, string>
        {
            ["*"] = await app.ApiKeyAsync(aAdmin.TenantId),
            ["-"] = await app.ApiKeyAsync(aAdmin.TenantId, permissions: []),
        };
        foreach (var p in Permissions.All)
        {
            keys["+" + p] = await app.ApiKeyAsync(aAdmin.TenantId, permissions: [p]);
            keys["-" + p] = await app.ApiKeyAsync(aAdmin.TenantId, permissions: [.. Permissions.All.Where(x => x != p)]);
        }
        var world = new MatrixWorld(app)
        {
            Marker = marker,
            AAdmin = aAdmin,
            AMember = await app.AddMemberAsync(aAdmin.TenantId, ["member"]),
            AViewer = await app.AddMemberAsync(aAdmin.TenantId, ["viewer"]),
            BAdmin = bAdmin,
            BMember = await app.AddMemberAsync(bAdmin.TenantId, ["member"]),
            BViewer = await app.AddMemberAsync(bAdmin.TenantId, ["viewer"]),
            BKey = await app.ApiKeyAsync(bAdmin.TenantId),
            Ops = await app.StaffAsync("ops_admin"),
            Cs = await app.StaffAsync("cs_admin"),
            OperatorAdmin = await app.StaffAsync("admin"),
            AKeys = keys,
        };
        world.AIds.Add(aAdmin.TenantId);
        foreach (var c in new[] { world.AAdmin, world.AMember, world.AViewer })
        {
            world.AIds.Add(c.UserId);
        }
        return world;
    }

    /// <summary>A's caller of <paramref name="kind"/>: a bearer (JWT or API key), or null for anonymous.</summary>
    public string? Bearer(Callers kind, Access row) => kind switch
    {
        Callers.ClientAdmin => AAdmin.AccessToken,
        Callers.ClientMember => AMember.AccessToken,
        Callers.ClientViewer => AViewer.AccessToken,
        Callers.OpsAdmin => Ops.AccessToken,
        Callers.CsAdmin => Cs.AccessToken,
        Callers.OperatorAdmin => OperatorAdmin.AccessToken,
        Callers.ApiKeyWithPermission => AKeys[row.Permission is null ? "*" : "+" + row.Permission],
        Callers.ApiKeyWithoutPermission => AKeys[row.Permission is null ? "-" : "-" + row.Permission],
        _ => null,
    };

    public Caller? Person(Callers kind) => kind switch
    {
        Callers.ClientAdmin => AAdmin,
        Callers.ClientMember => AMember,
        Callers.ClientViewer => AViewer,
        Callers.OpsAdmin => Ops,
        Callers.CsAdmin => Cs,
        Callers.OperatorAdmin => OperatorAdmin,
        _ => null,
    };

    /// <summary>A new resource of <paramref name="kind"/>; its id as it goes into a route.</summary>
    public async Task<Guid> NewAsync(Resource kind, ParamSource from)
    {
        var t = from.ResourceTenant;
        var id = kind switch
        {
            Resource.Tenant => from.IdentityTenant,
            Resource.User => (await _app.AddMemberAsync(from.IdentityTenant, [from.IdentityTenant == OperatorAdmin.TenantId ? "ops_admin" : "member"],
                email: Identities.NewEmail(Name(from.IdentityTenant, "user").Replace(' ', '-').ToLowerInvariant()))).UserId,
            Resource.ApiKey => await ApiKeyIdAsync(await _app.ApiKeyAsync(from.IdentityTenant)),
            Resource.Invitation => await InvitationAsync(from),
            Resource.Automation => (await VersionAsync(t)).AutomationId,
            Resource.Version => (await VersionAsync(t)).VersionId,
            Resource.Project => (await VersionAsync(t)).ProjectId,
            Resource.Quote => await _app.InsertQuoteAsync(t, (await VersionAsync(t)).VersionId, status: "draft"),
            Resource.Task => await _app.CollabTaskAsync(t, "automation_version", (await VersionAsync(t)).VersionId, title: Name(t, "task")),
            Resource.Alert => await AlertAsync(t),
            Resource.Notification => await NotificationAsync(t),
            Resource.Client => await ClientAsync(),
            Resource.BillingPeriod => await BillingPeriodAsync(t),
            Resource.Job => await _app.InsertJobAsync("notification", new { marker = Name(t, "job") }, status: "dead", tenantId: t),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a resource"),
        };
        var identity = kind is Resource.Tenant or Resource.User or Resource.ApiKey or Resource.Invitation;
        if ((identity ? from.IdentityTenant : t) == TenantA)
        {
            AIds.Add(id);
        }
        return id;
    }

    /// <summary>A version in intake, with its automation, project and a workflow binding (so every read of it finds its rows).</summary>
    private async Task<ArrangedVersion> VersionAsync(Guid tenantId)
    {
        var v = await _app.VersionAsync(tenantId, "intake_in_progress", name: Name(tenantId, "automation"));
        await _app.InsertBindingAsync(tenantId, v.VersionId);
        if (tenantId == TenantA)
        {
            AIds.Add(v.AutomationId);
            AIds.Add(v.VersionId);
            AIds.Add(v.ProjectId);
        }
        return v;
    }

    private async Task<Guid> ApiKeyIdAsync(string key) =>
        (await _app.ScalarAsync<Guid?>("SELECT id FROM api_keys WHERE @k LIKE 'wrk_live_' || prefix || '_%'", ("k", key)))!.Value;

    private async Task<Guid> InvitationAsync(ParamSource from)
    {
        using var client = _app.Client(from.IdentityAdmin.AccessToken);
        var role = from.IdentityTenant == OperatorAdmin.TenantId ? "ops_admin" : "member";
        var res = await client.PostJsonAsync($"/v1/tenants/{from.IdentityTenant}/invitations",
            new { email = Identities.NewEmail(Name(from.IdentityTenant, "invitee").Replace(' ', '-').ToLowerInvariant()), roles = new[] { role } });
        return (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
    }

    /// <summary>A client row (one per tenant: Flow 33 links a tenant once) of a new workspace of tenant A's kind.</summary>
    private async Task<Guid> ClientAsync()
    {
        var tenant = await _app.InsertTenantAsync(Marker + " tenant");
        AIds.Add(tenant);
        return await _app.InsertClientAsync(tenant, null, Marker + " client");
    }

    private async Task<Guid> AlertAsync(Guid tenantId)
    {
        var id = Guid.CreateVersion7();
        await _app.ExecuteAsync("""
            INSERT INTO alerts (id, tenant_id, kind, period_key, status, message, created_at)
            VALUES (@id, @t, 'budget', @k, 'open', @m, now())
            """, ("id", id), ("t", tenantId), ("k", Guid.NewGuid().ToString("N")), ("m", Name(tenantId, "alert")));
        return id;
    }

    /// <summary>An in-app notification for the tenant's admin (A's admin when the tenant is A).</summary>
    private async Task<Guid> NotificationAsync(Guid tenantId)
    {
        var id = Guid.CreateVersion7();
        var user = tenantId == TenantA ? AAdmin.UserId : BAdmin.UserId;
        await _app.ExecuteAsync("""
            INSERT INTO notifications (id, tenant_id, user_id, event_type, channel, title, data_json, created_at)
            VALUES (@id, @t, @u, 'quote.sent', 'in_app', @title, '{}'::jsonb, clock_timestamp())
            """, ("id", id), ("t", tenantId), ("u", user), ("title", Name(tenantId, "notification")));
        return id;
    }

    /// <summary>A draft billing period of a month no other call uses.</summary>
    private async Task<Guid> BillingPeriodAsync(Guid tenantId)
    {
        var id = Guid.CreateVersion7();
        var start = new DateOnly(1990, 1, 1).AddMonths(Interlocked.Increment(ref _periods));
        await _app.ExecuteAsync("""
            INSERT INTO billing_periods (id, tenant_id, period_start, period_end, status, currency, total_spend, lines_json, created_at, updated_at)
            VALUES (@id, @t, @s, @e, 'draft', 'USD', 0, '[]', now(), now())
            """, ("id", id), ("t", tenantId), ("s", start), ("e", start.AddMonths(1).AddDays(-1)));
        return id;
    }

    /// <summary>
    /// The request for <paramref name="row"/> with fresh resources from <paramref name="from"/>: <paramref name="valid"/> sends a
    /// body and query the endpoint accepts (as tenant A's owner would send them), otherwise <c>{}</c> for a body and no query.
    /// </summary>
    public async Task<HttpRequestMessage> RequestAsync(Access row, ParamSource from, string? bearer, bool valid,
        IReadOnlyDictionary<string, Guid>? fixedParams = null)
    {
        var path = row.Route;
        foreach (var (name, kind) in row.Params)
        {
            var id = fixedParams is not null && fixedParams.TryGetValue(name, out var f) ? f : await NewAsync(kind, from);
            path = path.Replace("{" + name + "}", id.ToString(), StringComparison.Ordinal);
        }
        var query = valid ? await ValidQueryAsync(row, from) : "";
        var request = new HttpRequestMessage(new HttpMethod(row.Method), path + query);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (row.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent(valid ? ValidBody(row) : "{}", Encoding.UTF8, "application/json");
            if (valid && row.Endpoint == "PUT /v1/automation-versions/{id}/blueprint")
            {
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            }
        }
        return request;
    }

    /// <summary>New resources for each of <paramref name="row"/>'s parameters, to share between calls that must not change them.</summary>
    public async Task<IReadOnlyDictionary<string, Guid>> ParamsAsync(Access row, ParamSource from)
    {
        var ids = new Dictionary<string, Guid>();
        foreach (var (name, kind) in row.Params)
        {
            ids[name] = await NewAsync(kind, from);
        }
        return ids;
    }

    private async Task<string> ValidQueryAsync(Access row, ParamSource from) => row.Endpoint switch
    {
        "GET /v1/automation-versions/{id}/diff" => "?against=" + await NewAsync(Resource.Version, from),
        "GET /v1/automation-versions/{id}/usage" or "GET /v1/public/automation-versions/{id}/usage" => "?granularity=day",
        "GET /v1/tenants/{tenantId}/billing-summary" => "?period=2026-01",
        "GET /v1/admin/audit-logs/export" => "?format=ndjson",
        _ => "",
    };

    /// <summary>A body each endpoint would accept; the endpoints that read none get <c>{}</c>.</summary>
    private string ValidBody(Access row) => row.Endpoint switch
    {
        "POST /v1/tenants/{tenantId}/invitations" => $$"""{"email":"{{Identities.NewEmail()}}","roles":["member"]}""",
        "PUT /v1/tenants/{tenantId}/users/{userId}/roles" => """{"roles":["viewer"]}""",
        "POST /v1/automation-versions/{id}/requirements" => """{"text":"Sync leads from Salesforce into HubSpot."}""",
        "PUT /v1/automation-versions/{id}/blueprint" => BlueprintDocs.Example,
        "POST /v1/automations/{id}/versions" => """{"bump":"minor"}""",
        "PATCH /v1/automation-versions/{id}/status" => """{"status":"needs_pricing"}""",
        "PATCH /v1/admin/projects/{id}/status" => """{"status":"blocked","reason":"matrix"}""",
        "PATCH /v1/quotes/{id}" => """{"setup_fee":"100.00"}""",
        "PATCH /v1/quotes/{id}/status" => """{"status":"signed"}""",
        "POST /v1/quotes/{id}/volume-upgrade" => """{"committed_volume":20000}""",
        "POST /v1/automation-versions/{id}/pricing-overrides" => """{"unit_price_override":"0.1000","reason":"matrix"}""",
        "POST /v1/automation-versions/{id}/qa" => """{"result":"pass","notes":"ok"}""",
        "PUT /v1/automation-versions/{id}/credentials" => """{"credentials":[]}""",
        "POST /v1/automation-versions/{id}/block" => """{"reason":"matrix"}""",
        "PATCH /v1/tasks/{id}/status" => """{"status":"done"}""",
        "PATCH /v1/admin/clients/{id}" => """{"health_status":"at_risk","reason":"matrix"}""",
        _ => "{}",
    };
}
