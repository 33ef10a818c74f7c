using ErrorOr;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Kernel.Outbox.Admin;

internal sealed class ListJobsEndpoint(JobAdminHandler handler) : ListEndpoint<ListJobsRequest, JobItem>
{
    public override void Configure()
    {
        Get("/v1/admin/jobs");
        // Every staff role reads the admin console; retrying is an ops action.
        Access(AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Outbox jobs across all tenants (staff), newest first; filter by status, queue, type. The payload is never shown.";
            s.Responses[200] = "A page of jobs.";
            s.Responses[400] = "Unknown status, bad cursor or limit.";
        });
    }

    protected override Task<ErrorOr<Page<JobItem>>> HandleRequestAsync(ListJobsRequest req, CancellationToken ct) => handler.ListAsync(req, ct);
}

internal sealed class RetryJobEndpoint(JobAdminHandler handler) : ApiEndpoint<RetryJobRequest, JobItem>
{
    public override void Configure()
    {
        Post("/v1/admin/jobs/{id}/retry");
        Access(AppRoles.OpsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Puts a dead job back to pending (attempts reset, due now); audited as job_retried.";
            s.Responses[200] = "The job, pending again.";
            s.Responses[404] = "No such job.";
            s.Responses[409] = "job_not_dead: only dead jobs can be retried.";
        });
    }

    protected override Task<ErrorOr<JobItem>> HandleRequestAsync(RetryJobRequest req, CancellationToken ct) => handler.RetryAsync(req.Id, ct);
}
