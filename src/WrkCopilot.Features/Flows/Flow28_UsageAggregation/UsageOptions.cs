namespace WrkCopilot.Features.Flows.Flow28_UsageAggregation;

/// <summary>Configuration section <c>Usage</c>.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>Off: nothing is scheduled (tests drive the jobs by hand; a web-only instance).</summary>
    public bool SchedulesEnabled { get; set; } = true;

    /// <summary>How often pending run-event deltas are folded into <c>usage_aggregates</c>: the most the aggregates lag.</summary>
    public int DrainEverySeconds { get; set; } = 1;

    /// <summary>Deltas claimed per transaction.</summary>
    public int DrainBatchSize { get; set; } = 1000;

    /// <summary>UTC days (today included) the 5-minute usage sync compares with the platform's export.</summary>
    public int SyncDays { get; set; } = 3;

    /// <summary>Failure-rate window when a tenant's threshold sets a rate but no <c>window_runs</c>.</summary>
    public int DefaultWindowRuns { get; set; } = 100;
}
