using WrkCopilot.Features.Integrations.WrkPlatform;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>Configuration section <c>Lifecycle</c>.</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Lifecycle";

    /// <summary>
    /// How long a launch, pause, resume or archive holds its automation's platform-operation lease (ADR 0017) for each WRK
    /// Platform call it plans: once a holder that crashed has held it that long, the next transition may take it.
    /// </summary>
    public TimeSpan PlatformOperationLease { get; set; } = TimeSpan.FromMinutes(5);

    public const string Rules =
        "Lifecycle:PlatformOperationLease must exceed twice the WRK Platform client's longest call (a call and its undo: " +
        "(WrkPlatform:Retries + 1) × WrkPlatform:Timeout plus the waits between retries) by at least a minute of database time, " +
        "so a live holder never loses its lease.";

    /// <summary>Room for the holder's own database work (row locks, the second transaction, the undo's reads) beside its calls.</summary>
    public static readonly TimeSpan DatabaseMargin = TimeSpan.FromMinutes(1);

    public static bool IsValid(LifecycleOptions o, Microsoft.Extensions.Options.IOptions<WrkPlatformOptions> platform) =>
        o.PlatformOperationLease > 2 * platform.Value.LongestCall + DatabaseMargin;
}
