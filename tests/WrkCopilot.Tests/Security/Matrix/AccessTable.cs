using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>The kinds of caller the matrix tries on every endpoint.</summary>
[Flags]
public enum Callers
{
    None = 0,
    ClientAdmin = 1 << 0,
    ClientMember = 1 << 1,
    ClientViewer = 1 << 2,
    OpsAdmin = 1 << 3,
    CsAdmin = 1 << 4,
    OperatorAdmin = 1 << 5,

    /// <summary>An API key of the tenant holding the endpoint's permission (every permission when the endpoint names none).</summary>
    ApiKeyWithPermission = 1 << 6,

    /// <summary>An API key of the tenant holding every permission but the endpoint's (none when the endpoint names none).</summary>
    ApiKeyWithoutPermission = 1 << 7,
    Anonymous = 1 << 8,

    Editors = ClientAdmin | ClientMember,
    Clients = ClientAdmin | ClientMember | ClientViewer,
    Staff = OpsAdmin | CsAdmin | OperatorAdmin,
    Users = Clients | Staff,

    /// <summary>The endpoints that need no credentials: anyone but an API key (flows.md: keys are refused on auth endpoints).</summary>
    Public = Users | Anonymous,
}

/// <summary>What a route parameter names, or what an endpoint without one answers with.</summary>
public enum Resource
{
    /// <summary>No resource: a create, an action on the caller's own session, or a single settings document.</summary>
    None,

    /// <summary>A list (or a document listing rows) of the caller's tenant.</summary>
    List,
    Tenant,
    User,
    Invitation,
    ApiKey,
    Automation,
    Version,
    Project,
    Quote,
    Task,
    Alert,
    Notification,
    Client,
    BillingPeriod,
    Job,
}

/// <summary>One endpoint: who may call it, the API-key permission that admits a key (if any) and what its parameters name.</summary>
/// <param name="OwnCredential">The endpoint authenticates the request itself (a signature): a 401 is that check's answer.</param>
public sealed record Access(string Endpoint, Callers Allowed, string? Permission, IReadOnlyList<(string Name, Resource Kind)> Params,
    Resource Shape, bool OwnCredential = false)
{
    public string Method => Endpoint.Split(' ')[0];
    public string Route => Endpoint.Split(' ')[1];
    public bool Allows(Callers caller) => (Allowed & caller) != 0;
    public override string ToString() => Endpoint;
}

/// <summary>
/// Who may call each endpoint of the API, written from flows.md ("Roles and scope" and the roles named in each flow) and the
/// README, not read from the endpoints' declarations: <see cref="AccessTableTests"/> fails when an endpoint is missing here or a
/// row names no endpoint, and the RBAC and isolation matrices call every row live. Where flows.md names no role for an
/// endpoint, the row follows the code and says so.
/// </summary>
public static class AccessTable
{
    private const string Read = Permissions.AutomationsRead;
    private const string Write = Permissions.AutomationsWrite;
    private const string Runs = Permissions.RunsRead;
    private const string Usage = Permissions.UsageRead;

    private const Callers Key = Callers.ApiKeyWithPermission;
    private const Callers ClientAdminOrOperatorAdmin = Callers.ClientAdmin | Callers.OperatorAdmin;
    private const Callers OpsOrOperatorAdmin = Callers.OpsAdmin | Callers.OperatorAdmin;
    private const Callers CsOrOperatorAdmin = Callers.CsAdmin | Callers.OperatorAdmin;
    private const Callers Lifecycle = Callers.ClientAdmin | OpsOrOperatorAdmin;

    private static Access Row(string endpoint, Callers allowed, params (string, Resource)[] ps) => Make(endpoint, allowed, null, ps);

    private static Access Row(string endpoint, Callers allowed, string permission, params (string, Resource)[] ps) =>
        Make(endpoint, allowed | Key, permission, ps);

    private static Access List(string endpoint, Callers allowed, string? permission = null) =>
        new(endpoint, allowed | (permission is null ? Callers.None : Key), permission, [], Resource.List);

    private static Access Make(string endpoint, Callers allowed, string? permission, (string, Resource)[] ps) =>
        new(endpoint, allowed, permission, ps, ps.Length == 0 ? Resource.None : ps[^1].Item2);

    private static readonly (string, Resource) Tenant = ("tenantId", Resource.Tenant);
    private static (string, Resource) Id(Resource kind) => ("id", kind);

    public static readonly IReadOnlyList<Access> Rows =
    [
        // Flows 1, 2, 4: no credentials needed; an API key is refused there (flows.md, API keys).
        Row("POST /v1/auth/signup", Callers.Public),
        Row("POST /v1/auth/login", Callers.Public),
        Row("POST /v1/auth/refresh", Callers.Public),
        Row("POST /v1/auth/password-reset", Callers.Public),
        Row("POST /v1/auth/password-reset/confirm", Callers.Public),
        Row("POST /v1/invitations/accept", Callers.Public),
        // Flows 2 and 5: any signed-in user, never a key.
        Row("POST /v1/auth/logout", Callers.Users),
        Row("POST /v1/auth/switch-tenant", Callers.Users),
        List("GET /v1/users/me", Callers.Users),

        // Flows 3 and 6: "(admin)" of the tenant, client or operator (the operator admin invites staff into the operator tenant).
        Row("POST /v1/tenants/{tenantId}/invitations", ClientAdminOrOperatorAdmin, Tenant),
        Row("GET /v1/tenants/{tenantId}/invitations", ClientAdminOrOperatorAdmin, Tenant),
        Row("DELETE /v1/tenants/{tenantId}/invitations/{id}", ClientAdminOrOperatorAdmin, Tenant, Id(Resource.Invitation)),
        Row("GET /v1/tenants/{tenantId}/users", ClientAdminOrOperatorAdmin, Tenant),
        Row("PUT /v1/tenants/{tenantId}/users/{userId}/roles", ClientAdminOrOperatorAdmin, Tenant, ("userId", Resource.User)),
        Row("DELETE /v1/tenants/{tenantId}/users/{userId}", ClientAdminOrOperatorAdmin, Tenant, ("userId", Resource.User)),
        // Flow 7: "(admin)"; roles table: API keys are a client admin's power (spec silent on the operator tenant: code's reading).
        Row("POST /v1/api-keys", Callers.ClientAdmin),
        List("GET /v1/api-keys", Callers.ClientAdmin),
        Row("DELETE /v1/api-keys/{id}", Callers.ClientAdmin, Id(Resource.ApiKey)),

        // Flow 8 (README: POST also for a key with automations:write); /v1/public/* is API-key only.
        Row("POST /v1/automations", Callers.ClientAdmin, Write),
        List("GET /v1/automations", Callers.Clients, Read),
        Row("GET /v1/automations/{id}", Callers.Users, Read, Id(Resource.Automation)),
        List("GET /v1/public/automations", Callers.None, Read),
        Row("GET /v1/public/automations/{id}", Callers.None, Read, Id(Resource.Automation)),
        // Flow 9: client admin, member, ops_admin (operator admin holds all staff powers).
        Row("POST /v1/automation-versions/{id}/requirements", Callers.Editors | OpsOrOperatorAdmin, Write, Id(Resource.Version)),
        Row("GET /v1/automation-versions/{id}/requirements", Callers.Users, Read, Id(Resource.Version)),
        // Flow 10: PUT client admin/member and staff.
        Row("GET /v1/automation-versions/{id}/blueprint", Callers.Users, Read, Id(Resource.Version)),
        Row("PUT /v1/automation-versions/{id}/blueprint", Callers.Editors | Callers.Staff, Write, Id(Resource.Version)),
        // Flow 11 (T1): client admin/member.
        Row("POST /v1/automation-versions/{id}/submit", Callers.Editors, Id(Resource.Version)),
        // Flow 12: new version client admin.
        Row("POST /v1/automations/{id}/versions", Callers.ClientAdmin, Write, Id(Resource.Automation)),
        Row("GET /v1/automations/{id}/versions", Callers.Users, Read, Id(Resource.Automation)),
        Row("GET /v1/automation-versions/{id}/diff", Callers.Users, Read, Id(Resource.Version)),
        // Flow 13: each actor that makes some transition by hand (cs_admin makes none).
        Row("PATCH /v1/automation-versions/{id}/status", Callers.Editors | OpsOrOperatorAdmin, Id(Resource.Version)),
        Row("PATCH /v1/admin/projects/{id}/status", OpsOrOperatorAdmin, Id(Resource.Project)),

        // Flows 14–17: ops price and send, the client admin signs, rejects and upgrades; everyone reads.
        Row("PATCH /v1/quotes/{id}", OpsOrOperatorAdmin, Id(Resource.Quote)),
        Row("PATCH /v1/quotes/{id}/status", Lifecycle, Id(Resource.Quote)),
        Row("GET /v1/quotes/{id}", Callers.Users, Id(Resource.Quote)),
        Row("GET /v1/automation-versions/{id}/quotes", Callers.Users, Id(Resource.Version)),
        Row("POST /v1/quotes/{id}/volume-upgrade", Callers.ClientAdmin, Id(Resource.Quote)),
        // Flow 18: client admin for its own tenant; staff through /v1/admin.
        Row("GET /v1/tenants/{tenantId}/billing-summary", Callers.ClientAdmin, Tenant),
        Row("GET /v1/admin/clients/{id}/billing-summary", Callers.Staff, Id(Resource.Client)),
        // Flow 19: operator admin only; reading the history is not in flows.md (code: staff).
        Row("POST /v1/automation-versions/{id}/pricing-overrides", Callers.OperatorAdmin, Id(Resource.Version)),
        Row("GET /v1/automation-versions/{id}/pricing-overrides", Callers.Staff, Id(Resource.Version)),
        // Flow 20: operator admin.
        Row("POST /v1/admin/billing-periods", Callers.OperatorAdmin),
        Row("POST /v1/admin/billing-periods/{id}/finalize", Callers.OperatorAdmin, Id(Resource.BillingPeriod)),

        // Flows 23–26.
        Row("POST /v1/automation-versions/{id}/qa", OpsOrOperatorAdmin, Id(Resource.Version)),
        Row("POST /v1/automation-versions/{id}/launch", Lifecycle, Id(Resource.Version)),
        Row("POST /v1/automation-versions/{id}/pause", Lifecycle, Id(Resource.Version)),
        Row("POST /v1/automation-versions/{id}/resume", Lifecycle, Id(Resource.Version)),
        Row("GET /v1/automation-versions/{id}/credentials", Callers.Users, Id(Resource.Version)),
        Row("PUT /v1/automation-versions/{id}/credentials", Lifecycle, Id(Resource.Version)),
        Row("POST /v1/automation-versions/{id}/block", OpsOrOperatorAdmin, Id(Resource.Version)),
        Row("POST /v1/automation-versions/{id}/unblock", OpsOrOperatorAdmin, Id(Resource.Version)),
        // Flow 27: signed by the platform, no JWT.
        new("POST /v1/webhooks/wrk-run-event", Callers.Public, null, [], Resource.None, OwnCredential: true),
        // Flow 29: any client role, and keys with runs:read / usage:read.
        Row("GET /v1/automation-versions/{id}/workflow-binding", Callers.Clients, Runs, Id(Resource.Version)),
        Row("GET /v1/automation-versions/{id}/runs", Callers.Clients, Runs, Id(Resource.Version)),
        Row("GET /v1/automation-versions/{id}/usage", Callers.Clients, Usage, Id(Resource.Version)),
        Row("GET /v1/public/automation-versions/{id}/usage", Callers.None, Usage, Id(Resource.Version)),
        List("GET /v1/alert-thresholds", Callers.Clients),
        Row("PUT /v1/alert-thresholds", Callers.ClientAdmin),
        List("GET /v1/alerts", Callers.Clients),
        Row("POST /v1/alerts/{id}/ack", Callers.Editors, Id(Resource.Alert)),

        // Flows 30–32: viewers read only; "staff may send ops or internal_note".
        Row("POST /v1/messages", Callers.Editors | Callers.Staff),
        Row("GET /v1/projects/{id}/messages", Callers.Users, Id(Resource.Project)),
        Row("GET /v1/automations/{id}/messages", Callers.Users, Id(Resource.Automation)),
        Row("POST /v1/tasks", Callers.Staff),
        List("GET /v1/tasks", Callers.Users),
        List("GET /v1/admin/tasks", Callers.Staff),
        Row("PATCH /v1/tasks/{id}/status", Callers.Editors | Callers.Staff, Id(Resource.Task)),

        // Flows 33–34: cs_admin and operator admin write clients; admin console reads are every staff role's; audit logs operator admin.
        Row("POST /v1/admin/clients", CsOrOperatorAdmin),
        List("GET /v1/admin/clients", Callers.Staff),
        Row("GET /v1/admin/clients/{id}", Callers.Staff, Id(Resource.Client)),
        Row("PATCH /v1/admin/clients/{id}", CsOrOperatorAdmin, Id(Resource.Client)),
        List("GET /v1/admin/projects", Callers.Staff),
        Row("GET /v1/admin/projects/{id}", Callers.Staff, Id(Resource.Project)),
        List("GET /v1/admin/audit-logs", Callers.OperatorAdmin),
        List("GET /v1/admin/audit-logs/export", Callers.OperatorAdmin),
        // Flow 35 (T13): client admin, operator admin.
        Row("POST /v1/automation-versions/{id}/archive", ClientAdminOrOperatorAdmin, Id(Resource.Version)),
        Row("POST /v1/automations/{id}/archive", ClientAdminOrOperatorAdmin, Id(Resource.Automation)),

        // Workers: dead letters are an admin console read; retrying one is not in flows.md (code: ops_admin, operator admin).
        List("GET /v1/admin/jobs", Callers.Staff),
        Row("POST /v1/admin/jobs/{id}/retry", OpsOrOperatorAdmin, Id(Resource.Job)),
        // README: the simulator's run events are the operator admin's.
        Row("POST /v1/admin/simulator/run-events", Callers.OperatorAdmin),
        // Notifications and the event stream: every signed-in user, for their own rows.
        List("GET /v1/notifications", Callers.Users),
        Row("POST /v1/notifications/{id}/read", Callers.Users, Id(Resource.Notification)),
        List("GET /v1/events/stream", Callers.Users),
    ];
}
