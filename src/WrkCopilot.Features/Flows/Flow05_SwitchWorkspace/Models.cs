namespace WrkCopilot.Features.Flows.Flow05_SwitchWorkspace;

public sealed class SwitchTenantRequest
{
    public Guid TenantId { get; set; }
}

/// <summary><c>GET /v1/users/me</c>: who the caller is, the active workspace and every workspace they belong to.</summary>
public sealed record MeResponse(
    Guid Id,
    string Email,
    string Name,
    Guid TenantId,
    IReadOnlyList<string> Roles,
    IReadOnlyList<MembershipSummary> Memberships);

public sealed record MembershipSummary(Guid TenantId, string TenantName, string TenantKind, IReadOnlyList<string> Roles);
