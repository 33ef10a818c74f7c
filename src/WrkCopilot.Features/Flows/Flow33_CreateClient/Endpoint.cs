using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow33_CreateClient;

internal sealed class CreateClientEndpoint(ClientsHandler handler) : ApiEndpoint<CreateClientRequest, ClientView>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/admin/clients");
        Access(AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 33 — link an existing client workspace to a client record (1:1); audited in that workspace.";
            s.Responses[201] = "The client, with spend this period and open alerts.";
            s.Responses[400] = "Unknown or operator workspace ($.tenant_id), owner not a staff member ($.owner_id), bad money ($.committed_monthly_spend).";
            s.Responses[409] = "client_exists: the workspace is already linked to a client.";
        });
    }

    protected override Task<ErrorOr<ClientView>> HandleRequestAsync(CreateClientRequest req, CancellationToken ct) => handler.CreateAsync(req, ct);
}

internal sealed class ListClientsEndpoint(ClientsHandler handler) : ListEndpoint<ListClientsRequest, ClientView>
{
    public override void Configure()
    {
        Get("/v1/admin/clients");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 33 — clients across all workspaces (staff), newest first; filter by health and owner_id, search by name (q).";
            s.Responses[400] = "Unknown health, bad owner_id, cursor or limit.";
        });
    }

    protected override Task<ErrorOr<Page<ClientView>>> HandleRequestAsync(ListClientsRequest req, CancellationToken ct) => handler.ListAsync(req, ct);
}

internal sealed class GetClientEndpoint(ClientsHandler handler) : ApiEndpoint<GetClientRequest, ClientDetail>
{
    public override void Configure()
    {
        Get("/v1/admin/clients/{id}");
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 33 — one client with its projects, spend this period and open alerts (staff).";
            s.Responses[404] = "No such client.";
        });
    }

    protected override Task<ErrorOr<ClientDetail>> HandleRequestAsync(GetClientRequest req, CancellationToken ct) => handler.GetAsync(req.Id, ct);
}
