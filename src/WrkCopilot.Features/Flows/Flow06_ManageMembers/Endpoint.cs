using ErrorOr;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow06_ManageMembers;

internal sealed class ListMembersEndpoint(MembersHandler handler) : ListEndpoint<ListMembersRequest, MemberView>
{
    public override void Configure()
    {
        Get("/v1/tenants/{tenantId}/users");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 6 — the workspace's members with their roles, newest first.";
            s.Responses[404] = "The path names another tenant.";
        });
    }

    protected override Task<ErrorOr<Page<MemberView>>> HandleRequestAsync(ListMembersRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class ChangeRolesEndpoint(MembersHandler handler) : ApiEndpoint<ChangeRolesRequest, MemberView>
{
    public override void Configure()
    {
        Put("/v1/tenants/{tenantId}/users/{userId}/roles");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 6 — replace a member's roles (roles valid for the workspace's kind).";
            s.Responses[400] = "Empty roles, or a role not valid for this workspace's kind ($.roles).";
            s.Responses[404] = "Not a member of this workspace, or the path names another tenant.";
            s.Responses[409] = "last_admin: the workspace's last admin cannot be demoted.";
        });
    }

    protected override Task<ErrorOr<MemberView>> HandleRequestAsync(ChangeRolesRequest req, CancellationToken ct) =>
        handler.ChangeRolesAsync(req, ct);
}

internal sealed class RemoveMemberEndpoint(MembersHandler handler) : ApiEndpoint<RemoveMemberRequest, Success>
{
    public override void Configure()
    {
        Delete("/v1/tenants/{tenantId}/users/{userId}");
        Access(AppRoles.ClientAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 6 — remove a member; their sessions in this workspace are revoked at once.";
            s.Responses[204] = "Removed.";
            s.Responses[404] = "Not a member of this workspace, or the path names another tenant.";
            s.Responses[409] = "last_admin: the workspace's last admin cannot be removed.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(RemoveMemberRequest req, CancellationToken ct) =>
        handler.RemoveAsync(req, ct);
}
