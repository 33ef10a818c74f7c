using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

internal sealed class ListAdminProjectsEndpoint(AdminReadsHandler handler) : ListEndpoint<ListProjectsRequest, AdminProjectItem>
{
    public override void Configure()
    {
        Get("/v1/admin/projects");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "The project pipeline across all workspaces (staff), newest first; filter by status, pricing_status, owner_id, client_id.";
            s.Responses[400] = "Unknown status or pricing_status, bad id, cursor or limit.";
        });
    }

    protected override Task<ErrorOr<Page<AdminProjectItem>>> HandleRequestAsync(ListProjectsRequest req, CancellationToken ct) =>
        handler.ListProjectsAsync(req, ct);
}

internal sealed class GetAdminProjectEndpoint(AdminReadsHandler handler) : ApiEndpoint<GetProjectRequest, AdminProjectDetail>
{
    public override void Configure()
    {
        Get("/v1/admin/projects/{id}");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "One project of any workspace (staff), with its workspace, client, automation, version and open task count.";
            s.Responses[404] = "No such project.";
        });
    }

    protected override Task<ErrorOr<AdminProjectDetail>> HandleRequestAsync(GetProjectRequest req, CancellationToken ct) =>
        handler.GetProjectAsync(req.Id, ct);
}

internal sealed class ListAuditLogsEndpoint(AdminReadsHandler handler) : ListEndpoint<ListAuditLogsRequest, AuditLogItem>
{
    public override void Configure()
    {
        Get("/v1/admin/audit-logs");
        Access(AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "The audit log across all workspaces (operator admin), newest first; filter by tenant_id, actor, action, " +
                        "resource_type, resource_id and a created_at window [from, to).";
            s.Responses[400] = "Bad id, time, cursor or limit; 'to' not after 'from' ($.to).";
        });
    }

    protected override Task<ErrorOr<Page<AuditLogItem>>> HandleRequestAsync(ListAuditLogsRequest req, CancellationToken ct) =>
        handler.ListAuditLogsAsync(req, ct);
}
