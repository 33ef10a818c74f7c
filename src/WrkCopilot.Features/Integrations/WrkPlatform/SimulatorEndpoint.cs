using ErrorOr;
using FastEndpoints;
using FluentValidation;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

public sealed class EmitSimulatedRunsRequest
{
    public string WorkflowId { get; set; } = "";
    public int? Count { get; set; }
    public double? FailureRate { get; set; }
}

public sealed record SimulatedRunsView(string WorkflowId, int Sent, int Delivered, int Succeeded, int Failed);

internal sealed class EmitSimulatedRunsValidator : Validator<EmitSimulatedRunsRequest>
{
    public const int MaxCount = 1000;

    public EmitSimulatedRunsValidator()
    {
        RuleFor(x => x.WorkflowId).NotEmpty().MaximumLength(200);
        RuleFor(x => x.Count).NotNull().InclusiveBetween(1, MaxCount);
        RuleFor(x => x.FailureRate).InclusiveBetween(0, 1).When(x => x.FailureRate is not null);
    }
}

/// <summary>
/// Local runs and demos: the simulated WRK Platform plays runs of one workflow and delivers them, signed, to the run-event
/// webhook, answering once every event was delivered (or refused). Exists only in Simulated mode: against a real platform the
/// route is 404, since runs then happen on the platform.
/// </summary>
internal sealed class EmitSimulatedRunsEndpoint(IOptions<WrkPlatformOptions> options, SimulatedWrkPlatform simulator)
    : ApiEndpoint<EmitSimulatedRunsRequest, SimulatedRunsView>
{
    public const double DefaultFailureRate = 0.1;

    // No database work: the webhook each event reaches runs its own transactions.
    protected override bool Transactional => false;

    public override void Configure()
    {
        Post("/v1/admin/simulator/run-events");
        Access(AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Simulated mode only: plays count runs (1–1000) of a simulated workflow and delivers each as a signed run event to the webhook.";
            s.Responses[200] = "How many runs were played, delivered (2xx from the webhook), succeeded and failed.";
            s.Responses[400] = "Bad workflow_id, count or failure_rate (0–1).";
            s.Responses[404] = "Not in Simulated mode, or no such simulated workflow.";
        });
    }

    protected override async Task<ErrorOr<SimulatedRunsView>> HandleRequestAsync(EmitSimulatedRunsRequest req, CancellationToken ct)
    {
        if (!options.Value.IsSimulated)
        {
            return AppErrors.NotFound("The WRK Platform simulator");
        }
        var batch = await simulator.EmitRunsAsync(req.WorkflowId, req.Count!.Value, req.FailureRate ?? DefaultFailureRate, ct);
        if (batch is null)
        {
            return AppErrors.NotFound("An active workflow with this id");
        }
        return new SimulatedRunsView(batch.WorkflowId, batch.Sent, batch.Delivered, batch.Succeeded, batch.Failed);
    }
}
