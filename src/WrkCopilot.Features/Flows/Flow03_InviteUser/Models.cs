using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow03_InviteUser;

public sealed class CreateInvitationRequest
{
    public Guid TenantId { get; set; }
    public string Email { get; set; } = "";
    public List<string> Roles { get; set; } = [];
}

/// <summary>The invitation as created; <see cref="Token"/> is shown here once and never again.</summary>
public sealed record InvitationCreated(Guid Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt, string Token);

public sealed class ListInvitationsRequest : PageQuery
{
    public Guid TenantId { get; set; }
}

public enum InvitationStatus
{
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// <summary>An invitation as listed: never the token or its hash.</summary>
public sealed record InvitationView(
    Guid Id,
    string Email,
    IReadOnlyList<string> Roles,
    InvitationStatus Status,
    Guid InvitedById,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? RevokedAt);

public sealed class RevokeInvitationRequest
{
    public Guid TenantId { get; set; }
    public Guid Id { get; set; }
}
