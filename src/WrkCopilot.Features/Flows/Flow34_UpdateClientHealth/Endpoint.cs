using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

internal sealed class UpdateClientHealthEndpoint(UpdateClientHealthHandler handler) : ApiEndpoint<UpdateClientHealthRequest, ClientHealthView>
{
    public override void Configure()
    {
        Patch("/v1/admin/clients/{id}");
        Access(AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 34 — change a client's health (good, at_risk, churn_risk) with a reason; nothing else can change here.";
            s.Description = "A worsening creates a staff-only client_retention task for the client's owner and notifies. Audited in the client's workspace.";
            s.Responses[200] = "The client after the change (retention_task_id when a task was raised).";
            s.Responses[400] = "Unknown health ($.health_status), missing reason ($.reason), or any other field in the body.";
            s.Responses[404] = "No such client.";
        });
    }

    protected override Task<ErrorOr<ClientHealthView>> HandleRequestAsync(UpdateClientHealthRequest req, CancellationToken ct) =>
        handler.UpdateAsync(req, ct);
}
