using System.Diagnostics.Metrics;

namespace WrkCopilot.Features.Kernel.Observability;

/// <summary>How a delivered webhook event ended.</summary>
public enum WebhookOutcome
{
    Accepted,
    Duplicate,
    Refused,
}

/// <summary>
/// Our own series, all named <c>wrk_*</c> on the meter <see cref="MeterName"/>. Labels are small fixed sets
/// (queue, outcome, reason code, limit kind, status): tenant, user and resource ids never become labels, since
/// every distinct value is a series kept forever; they belong in logs and traces.
/// The meter comes from the host's <see cref="IMeterFactory"/>, so two hosts in one process (tests) keep apart.
/// </summary>
public sealed class WrkMetrics
{
    public const string MeterName = "WrkCopilot";

    private readonly Counter<long> _jobRuns;
    private readonly Counter<long> _jobFailures;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _webhookEvents;
    private readonly Gauge<double> _usageAggregationLag;
    private readonly Counter<long> _rateLimitRefusals;
    private readonly Counter<long> _transitions;

    public WrkMetrics(IMeterFactory meters, OutboxBacklog backlog)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("wrk_outbox_depth",
            () => backlog.Sample().Select(q => new Measurement<long>(q.Depth, new KeyValuePair<string, object?>("queue", q.Queue))),
            description: "Outbox rows still to run (pending or processing), per queue.");
        meter.CreateObservableGauge("wrk_outbox_oldest_due_age_seconds",
            () => backlog.Sample().Select(q => new Measurement<double>(q.OldestDueAgeSeconds, new KeyValuePair<string, object?>("queue", q.Queue))),
            unit: "s", description: "How long the oldest due, unclaimed outbox row has waited, per queue (0 when none).");
        _jobRuns = meter.CreateCounter<long>("wrk_outbox_job_runs", description: "Outbox job attempts started, per queue.");
        _jobFailures = meter.CreateCounter<long>("wrk_outbox_job_failures", description: "Outbox job attempts that failed (retried or dead-lettered), per queue.");
        _deadLetters = meter.CreateCounter<long>("wrk_outbox_dead_letters", description: "Outbox jobs dead-lettered, per queue.");
        _webhookEvents = meter.CreateCounter<long>("wrk_webhook_events", description: "Inbound webhook events by outcome; refusals by reason code.");
        _usageAggregationLag = meter.CreateGauge<double>("wrk_usage_aggregation_lag_seconds", unit: "s",
            description: "How far usage aggregation trails the newest usage event it could have aggregated.");
        _rateLimitRefusals = meter.CreateCounter<long>("wrk_rate_limit_refusals", description: "Requests refused with 429, by limit kind.");
        _transitions = meter.CreateCounter<long>("wrk_lifecycle_transitions", description: "Automation version status transitions saved, by from and to status.");
    }

    /// <summary>
    /// Makes the accepted and duplicate webhook series exist at zero: a rate over a series that appears only with its
    /// first event reads as "no data" rather than zero. Called once the exporters listen (see <see cref="MetricsStartup"/>);
    /// a measurement taken before is dropped.
    /// </summary>
    internal void Initialize()
    {
        _webhookEvents.Add(0, Outcome(WebhookOutcome.Accepted));
        _webhookEvents.Add(0, Outcome(WebhookOutcome.Duplicate));
    }

    public void JobRun(string queue) => _jobRuns.Add(1, Queue(queue));

    public void JobFailed(string queue, bool deadLettered)
    {
        _jobFailures.Add(1, Queue(queue));
        if (deadLettered)
        {
            _deadLetters.Add(1, Queue(queue));
        }
    }

    /// <summary>A job dead-lettered without a run that failed (its last lease expired: the process died or it hung).</summary>
    public void DeadLettered(string queue) => _deadLetters.Add(1, Queue(queue));

    /// <summary>
    /// One inbound webhook event. <paramref name="reason"/> (refusals only) is a fixed code such as
    /// <c>bad_signature</c> or <c>stale_timestamp</c>, never an id or free text.
    /// </summary>
    public void WebhookEvent(WebhookOutcome outcome, string? reason = null)
    {
        if (outcome == WebhookOutcome.Refused)
        {
            _webhookEvents.Add(1, Outcome(outcome), new KeyValuePair<string, object?>("reason", reason ?? "unspecified"));
        }
        else
        {
            _webhookEvents.Add(1, Outcome(outcome));
        }
    }

    /// <summary>The aggregation's current lag: now minus the newest event time it has folded in (or of the oldest pending event).</summary>
    public void UsageAggregationLag(TimeSpan lag) => _usageAggregationLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <param name="limit"><c>api_key</c>, <c>tenant</c> or <c>anonymous</c>: which bucket ran out.</param>
    public void RateLimitRefusal(string limit) => _rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void LifecycleTransition(string from, string to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("from", from), new KeyValuePair<string, object?>("to", to));

    private static KeyValuePair<string, object?> Queue(string queue) => new("queue", queue);

    private static KeyValuePair<string, object?> Outcome(WebhookOutcome outcome) =>
        new("outcome", outcome.ToString().ToLowerInvariant());
}
