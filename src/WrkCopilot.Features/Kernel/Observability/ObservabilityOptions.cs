namespace WrkCopilot.Features.Kernel.Observability;

/// <summary>Configuration section <c>Observability</c>: who may scrape <c>/metrics</c> and how often the outbox is sampled.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>Shortest accepted scrape token: a guessable one would make the endpoint public in all but name.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>
    /// Bearer token a scraper must send to <c>/metrics</c>. Neither it nor <see cref="MetricsPort"/> set: the endpoint
    /// is not served at all (404).
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>
    /// A port reserved for scraping (the host must also listen on it, e.g. <c>ASPNETCORE_URLS</c>): <c>/metrics</c> then
    /// answers only on connections to this port, and asks for <see cref="MetricsToken"/> too when that is set.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>How long one read of the outbox backlog serves the gauges, so that scrapes never hit the table in a storm.</summary>
    public TimeSpan OutboxSampleInterval { get; set; } = TimeSpan.FromSeconds(5);
}
