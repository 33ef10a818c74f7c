using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;
using ApiPermissions = WrkCopilot.Features.Kernel.Auth.Permissions;

namespace WrkCopilot.Features.Flows.Flow08_CreateAutomation;

internal sealed class CreateAutomationEndpoint(AutomationsHandler handler) : ApiEndpoint<CreateAutomationRequest, AutomationCreated>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/automations");
        AccessWithApiKey(ApiPermissions.AutomationsWrite, AppRoles.ClientAdmin);
        Idempotent();
        Summary(s =>
        {
            s.Summary = "Flow 8 — create an automation with version v1.0 (intake_in_progress, empty blueprint) and its project.";
            s.Responses[201] = "Created: the automation, its first version and the project id.";
            s.Responses[400] = "Missing or too long name ($.name), description or department.";
            s.Responses[404] = "owner_id is not a member of this workspace.";
        });
    }

    protected override Task<ErrorOr<AutomationCreated>> HandleRequestAsync(CreateAutomationRequest req, CancellationToken ct) =>
        handler.CreateAsync(req, ct);
}

internal sealed class ListAutomationsEndpoint(AutomationsHandler handler) : ListEndpoint<ListAutomationsRequest, AutomationView>
{
    public override void Configure()
    {
        Get("/v1/automations");
        AccessWithApiKey(ApiPermissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer);
        Summary(s =>
        {
            s.Summary = "Flow 8 — this workspace's automations, newest first (filters: status, department, q; include_archived).";
            s.Responses[400] = "Unknown status ($.status), bad limit or cursor.";
        });
    }

    protected override Task<ErrorOr<Page<AutomationView>>> HandleRequestAsync(ListAutomationsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class GetAutomationEndpoint(AutomationsHandler handler) : ApiEndpoint<GetAutomationRequest, AutomationView>
{
    public override void Configure()
    {
        Get("/v1/automations/{id}");
        AccessWithApiKey(ApiPermissions.AutomationsRead, AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer,
            AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 8 — one automation with its status and latest version. Staff read it in its own tenant.";
            s.Responses[404] = "No such automation in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<AutomationView>> HandleRequestAsync(GetAutomationRequest req, CancellationToken ct) =>
        handler.GetAsync(req, ct);
}

/// <summary><c>/v1/public/*</c>: API keys only, read-only (flows.md, roles and scope).</summary>
internal sealed class PublicListAutomationsEndpoint(AutomationsHandler handler) : ListEndpoint<ListAutomationsRequest, AutomationView>
{
    public override void Configure()
    {
        Get("/v1/public/automations");
        AccessWithApiKey(ApiPermissions.AutomationsRead);
        Summary(s => s.Summary = "Public API (API key with automations:read) — the key's workspace's automations, as GET /v1/automations.");
    }

    protected override Task<ErrorOr<Page<AutomationView>>> HandleRequestAsync(ListAutomationsRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class PublicGetAutomationEndpoint(AutomationsHandler handler) : ApiEndpoint<GetAutomationRequest, AutomationView>
{
    public override void Configure()
    {
        Get("/v1/public/automations/{id}");
        AccessWithApiKey(ApiPermissions.AutomationsRead);
        Summary(s =>
        {
            s.Summary = "Public API (API key with automations:read) — one automation, as GET /v1/automations/{id}.";
            s.Responses[404] = "No such automation in the key's workspace.";
        });
    }

    protected override Task<ErrorOr<AutomationView>> HandleRequestAsync(GetAutomationRequest req, CancellationToken ct) =>
        handler.GetAsync(req, ct);
}
