using ApiPermissions = WrkCopilot.Features.Kernel.Auth.Permissions;
using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow29_RunsAndUsage;

internal static class ClientRoles
{
    public static readonly string[] Any = [AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.ClientViewer];
}

internal sealed class WorkflowBindingEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<VersionRequest, WorkflowBindingView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/workflow-binding");
        AccessWithApiKey(ApiPermissions.RunsRead, ClientRoles.Any);
        Summary(s =>
        {
            s.Summary = "Flow 29 — the version's WRK Platform workflow binding (workflow id, url, active/inactive).";
            s.Responses[404] = "Unknown version, another tenant's, or not built yet (no binding).";
        });
    }

    protected override Task<ErrorOr<WorkflowBindingView>> HandleRequestAsync(VersionRequest req, CancellationToken ct) =>
        handler.BindingAsync(req.Id, ct);
}

internal sealed class ListRunsEndpoint(RunsAndUsageHandler handler) : ListEndpoint<ListRunsRequest, RunView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/runs");
        AccessWithApiKey(ApiPermissions.RunsRead, ClientRoles.Any);
        Summary(s =>
        {
            s.Summary = "Flow 29 — the version's runs, newest started first; filters: status, from/to on started_at (to exclusive).";
            s.Responses[400] = "A bad status, cursor, limit or time range (errors by path).";
            s.Responses[404] = "Unknown version, or another tenant's.";
        });
    }

    protected override Task<ErrorOr<Page<RunView>>> HandleRequestAsync(ListRunsRequest req, CancellationToken ct) => handler.RunsAsync(req, ct);
}

internal sealed class UsageEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<UsageRequest, UsageView>
{
    public override void Configure()
    {
        Get("/v1/automation-versions/{id}/usage");
        AccessWithApiKey(ApiPermissions.UsageRead, ClientRoles.Any);
        Summary(s =>
        {
            s.Summary = "Flow 29 — the version's usage per day or month (runs, successes, failures, cost), a few seconds behind the run events.";
            s.Responses[400] = "granularity is not day or month, or to is before from.";
            s.Responses[404] = "Unknown version, or another tenant's.";
        });
    }

    protected override Task<ErrorOr<UsageView>> HandleRequestAsync(UsageRequest req, CancellationToken ct) => handler.UsageAsync(req, ct);
}

internal sealed class PublicUsageEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<UsageRequest, UsageView>
{
    public override void Configure()
    {
        Get("/v1/public/automation-versions/{id}/usage");
        AccessWithApiKey(ApiPermissions.UsageRead);
        Summary(s =>
        {
            s.Summary = "Public API — a version's usage per day or month; API keys with usage:read only.";
            s.Responses[400] = "granularity is not day or month, or to is before from.";
            s.Responses[404] = "Unknown version, or another tenant's.";
        });
    }

    protected override Task<ErrorOr<UsageView>> HandleRequestAsync(UsageRequest req, CancellationToken ct) => handler.UsageAsync(req, ct);
}

internal sealed class GetAlertThresholdsEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<FastEndpoints.EmptyRequest, AlertThresholdsView>
{
    public override void Configure()
    {
        Get("/v1/alert-thresholds");
        Access(ClientRoles.Any);
        Summary(s => s.Summary = "Flow 29 — this workspace's alert thresholds (null: that check is off).");
    }

    protected override Task<ErrorOr<AlertThresholdsView>> HandleRequestAsync(FastEndpoints.EmptyRequest req, CancellationToken ct) =>
        handler.ThresholdsAsync(ct);
}

internal sealed class PutAlertThresholdsEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<PutAlertThresholdsRequest, AlertThresholdsView>
{
    public override void Configure()
    {
        Put("/v1/alert-thresholds");
        Access(AppRoles.ClientAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 29 — replace this workspace's alert thresholds; a field left out or null turns that check off.";
            s.Responses[400] = "A value out of range (errors by path).";
        });
    }

    protected override Task<ErrorOr<AlertThresholdsView>> HandleRequestAsync(PutAlertThresholdsRequest req, CancellationToken ct) =>
        handler.PutThresholdsAsync(req, ct);
}

internal sealed class ListAlertsEndpoint(RunsAndUsageHandler handler) : ListEndpoint<ListAlertsRequest, AlertView>
{
    public override void Configure()
    {
        Get("/v1/alerts");
        Access(ClientRoles.Any);
        Summary(s =>
        {
            s.Summary = "Flow 29 — this workspace's alerts, newest first; filter by status (open, acknowledged).";
            s.Responses[400] = "A bad status, cursor or limit.";
        });
    }

    protected override Task<ErrorOr<Page<AlertView>>> HandleRequestAsync(ListAlertsRequest req, CancellationToken ct) => handler.AlertsAsync(req, ct);
}

internal sealed class AckAlertEndpoint(RunsAndUsageHandler handler) : ApiEndpoint<AckAlertRequest, AlertView>
{
    public override void Configure()
    {
        Post("/v1/alerts/{id}/ack");
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember);
        Summary(s =>
        {
            s.Summary = "Flow 29 — acknowledge an alert (idempotent: a second acknowledgement keeps the first).";
            s.Responses[404] = "Unknown alert, or another tenant's.";
        });
    }

    protected override Task<ErrorOr<AlertView>> HandleRequestAsync(AckAlertRequest req, CancellationToken ct) => handler.AckAsync(req.Id, ct);
}
