using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow06_ManageMembers;

public sealed class ListMembersRequest : PageQuery
{
    public Guid TenantId { get; set; }
}

/// <summary>A member of the workspace: <c>id</c> is the user's id.</summary>
public sealed record MemberView(Guid Id, string Email, string Name, IReadOnlyList<string> Roles, DateTimeOffset JoinedAt);

public sealed class ChangeRolesRequest
{
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public List<string> Roles { get; set; } = [];
}

public sealed class RemoveMemberRequest
{
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
}
