using System.Text.Json;

namespace WrkCopilot.Features.Kernel.Outbox;

/// <summary>
/// Runs one outbox row of <see cref="Type"/>. Delivery is at least once, so handlers are idempotent.
/// The job's scope has the row's tenant set. Throwing retries with backoff; <see cref="PermanentJobFailure"/>
/// dead-letters at once.
/// </summary>
public interface IJobHandler
{
    string Type { get; }

    Task HandleAsync(JobContext job, CancellationToken ct);
}

public sealed record JobContext(Guid Id, Guid? TenantId, string Queue, string Type, JsonDocument Payload, int Attempt, int MaxAttempts)
{
    public T PayloadAs<T>() => Payload.Deserialize<T>(Http.JsonDefaults.Options)
        ?? throw new PermanentJobFailure($"Job {Id} has an empty payload.");

    public bool IsLastAttempt => Attempt >= MaxAttempts;
}

/// <summary>A failure no retry can fix (bad payload, 4xx from a partner): the row goes straight to <c>dead</c>.</summary>
public sealed class PermanentJobFailure(string message, Exception? inner = null) : Exception(message, inner);
