using System.Net;
using Npgsql;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security.Fuzzing;

/// <summary>
/// A client workspace with one of each resource a route names (so route ids are real and requests reach the handlers), its
/// admin, member and viewer, and staff of each role: the callers the fuzz acts as.
/// </summary>
public sealed class FuzzWorld
{
    private readonly WrkApp _app;
    private readonly Dictionary<string, Caller> _callers = [];
    private readonly Dictionary<string, Guid> _idsBySegment = [];

    private FuzzWorld(WrkApp app) => _app = app;

    public Guid TenantId { get; private set; }
    public Guid OperatorTenantId { get; private set; }

    public static async Task<FuzzWorld> BuildAsync(WrkApp app)
    {
        var w = new FuzzWorld(app);
        var admin = await app.WorkspaceAdminAsync("Fuzz Co");
        w.TenantId = admin.TenantId;
        w._callers["client:admin"] = admin;
        w._callers["client:member"] = await app.AddMemberAsync(admin.TenantId, ["member"]);
        w._callers["client:viewer"] = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var target = await app.AddMemberAsync(admin.TenantId, ["member"]);
        w.OperatorTenantId = await app.OperatorTenantAsync();

        var version = await app.VersionAsync(admin.TenantId, "intake_in_progress");
        await app.QuoteAsync(admin.TenantId, version.VersionId, "draft");
        var task = await app.TaskAsync(admin.TenantId, "automation_version", version.VersionId, "todo");
        await app.InsertAlertAsync(admin.TenantId);
        var notification = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO notifications (id, tenant_id, user_id, event_type, channel, title, data_json, created_at)
            VALUES (@id, @t, @u, 'quote.sent', 'in_app', 'Quote sent', '{}'::jsonb, now())
            """, ("id", notification), ("t", admin.TenantId), ("u", admin.UserId));
        await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var client = await app.InsertClientAsync(admin.TenantId, null, "Fuzz Co", committed: 100.00m);
        var job = await app.InsertJobAsync("email", new { to = "fuzz@example.test" }, status: "dead");
        using (var http = app.Client(admin.AccessToken))
        {
            await (await http.PostJsonAsync($"/v1/tenants/{admin.TenantId}/invitations", new { email = Identities.NewEmail("invitee"), roles = new[] { "member" } }))
                .ExpectAsync(HttpStatusCode.Created);
        }
        var staff = await app.OperatorAdminAsync();
        w._callers["operator:admin"] = staff;
        using (var http = app.Client(staff.AccessToken))
        {
            await (await http.PostJsonAsync("/v1/admin/billing-periods", new { tenant_id = admin.TenantId, period = DateTime.UtcNow.ToString("yyyy-MM") }))
                .ExpectAsync(HttpStatusCode.OK);
        }

        async Task<Guid> First(string table) =>
            (await app.ScalarAsync<Guid?>($"SELECT id FROM {table} WHERE tenant_id = @t ORDER BY created_at LIMIT 1", ("t", admin.TenantId)))!.Value;
        w._idsBySegment["tenants"] = admin.TenantId;
        w._idsBySegment["users"] = target.UserId;
        w._idsBySegment["automations"] = version.AutomationId;
        w._idsBySegment["automation-versions"] = version.VersionId;
        w._idsBySegment["projects"] = version.ProjectId;
        w._idsBySegment["quotes"] = await First("quotes");
        w._idsBySegment["tasks"] = task;
        w._idsBySegment["alerts"] = await First("alerts");
        w._idsBySegment["notifications"] = notification;
        w._idsBySegment["api-keys"] = await First("api_keys");
        w._idsBySegment["invitations"] = await First("invitations");
        w._idsBySegment["clients"] = client;
        w._idsBySegment["billing-periods"] = await First("billing_periods");
        w._idsBySegment["jobs"] = job;
        return w;
    }

    /// <summary>The path with each route parameter set to the real resource its preceding segment names (a random id if none).</summary>
    public string Path(FuzzTarget t, string? routeText)
    {
        var segments = t.Route.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{'))
            {
                segments[i] = routeText ?? (_idsBySegment.TryGetValue(segments[i - 1], out var id) ? id : Guid.NewGuid()).ToString();
            }
        }
        return string.Join('/', segments);
    }

    /// <summary>A fresh credential for <paramref name="t"/>'s caller (a new session family, or a new key): what one case does to it cannot reach the next endpoint.</summary>
    public async Task<string?> CredentialAsync(FuzzTarget t)
    {
        switch (t.Caller)
        {
            case CallAs.Client or CallAs.Staff:
                var key = (t.Caller == CallAs.Client ? "client:" : "operator:") + t.Role;
                if (!_callers.TryGetValue(key, out var caller))
                {
                    caller = t.Caller == CallAs.Staff ? await _app.StaffAsync(t.Role) : await _app.AddMemberAsync(TenantId, [t.Role]);
                    _callers[key] = caller;
                }
                return (await _app.TokenForAsync(caller.UserId, caller.TenantId, t.Role)).AccessToken;
            case CallAs.ApiKey:
                return await _app.ApiKeyAsync(TenantId, _callers["client:admin"].UserId);
            default:
                return null;
        }
    }
}

/// <summary>Row counts of every table in the public schema, read in one query as the owner.</summary>
public sealed class RowCounts : IAsyncDisposable
{
    private readonly NpgsqlConnection _conn;
    private readonly string _sql;

    private RowCounts(NpgsqlConnection conn, string sql)
    {
        _conn = conn;
        _sql = sql;
    }

    public static async Task<RowCounts> OpenAsync(string ownerConnectionString)
    {
        var conn = new NpgsqlConnection(ownerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT string_agg(format('SELECT %L, count(*) FROM public.%I', table_name, table_name), ' UNION ALL ' ORDER BY table_name)
            FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
            """, conn);
        return new RowCounts(conn, (string)(await cmd.ExecuteScalarAsync())!);
    }

    private NpgsqlCommand? _prepared;

    public async Task<Dictionary<string, long>> ReadAsync()
    {
        if (_prepared is null)
        {
            _prepared = new NpgsqlCommand(_sql, _conn);
            await _prepared.PrepareAsync();
        }
        await using var reader = await _prepared.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (_prepared is not null)
        {
            await _prepared.DisposeAsync();
        }
        await _conn.DisposeAsync();
    }
}
