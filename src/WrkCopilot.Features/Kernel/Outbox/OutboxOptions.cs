namespace WrkCopilot.Features.Kernel.Outbox;

/// <summary>Configuration section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Turn the dispatcher off (e.g. a web-only instance, or a test that drives it by hand).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How long a claimed row belongs to this instance; a row whose instance died is claimed again after it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    public int BatchSize { get; set; } = 20;

    /// <summary>Backoff base: attempt n waits base × 2^(n-1) (capped), ± 20 % jitter.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryCap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long done rows are kept before the daily clean-up deletes them.</summary>
    public TimeSpan DoneRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>This instance's name in <c>locked_by</c>.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}
