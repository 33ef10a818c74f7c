namespace WrkCopilot.Features.Kernel.Events;

/// <summary>Configuration section <c>Events</c>.</summary>
public sealed class EventStreamOptions
{
    public const string Section = "Events";

    /// <summary>A comment line this often keeps proxies from closing an idle stream; the session is re-checked then too.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long events are kept for <c>Last-Event-ID</c> resumes before the hourly clean-up deletes them.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    public int BatchSize { get; set; } = 500;
}
