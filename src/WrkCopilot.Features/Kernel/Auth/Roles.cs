using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// Roles are qualified by tenant kind ("client admin" and "operator admin" are different powers),
/// so a check can never match the role name alone.
/// </summary>
public static class AppRoles
{
    public const string ClientAdmin = "client:admin";
    public const string ClientMember = "client:member";
    public const string ClientViewer = "client:viewer";
    public const string OpsAdmin = "operator:ops_admin";
    public const string CsAdmin = "operator:cs_admin";
    public const string OperatorAdmin = "operator:admin";

    public static readonly string[] AnyClient = [ClientAdmin, ClientMember, ClientViewer];
    public static readonly string[] Staff = [OpsAdmin, CsAdmin, OperatorAdmin];

    /// <summary>The role names a membership may hold in a tenant of each kind (Flows 3 and 6 refuse others).</summary>
    public static IReadOnlyList<string> ValidFor(string tenantKind) => tenantKind == TenantKinds.Operator
        ? ["ops_admin", "cs_admin", "admin"]
        : ["admin", "member", "viewer"];

    public static string Qualify(string tenantKind, string role) => $"{tenantKind}:{role}";
}

/// <summary>API-key permissions; one table (each endpoint's declaration) maps endpoints to them.</summary>
public static class Permissions
{
    public const string AutomationsRead = "automations:read";
    public const string AutomationsWrite = "automations:write";
    public const string RunsRead = "runs:read";
    public const string UsageRead = "usage:read";

    public static readonly IReadOnlyList<string> All = [AutomationsRead, AutomationsWrite, RunsRead, UsageRead];
}
