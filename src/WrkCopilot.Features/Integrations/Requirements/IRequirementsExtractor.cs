using System.Text.Json;

namespace WrkCopilot.Features.Integrations.Requirements;

/// <summary>Turns requirements text into a canonical blueprint (flows.md, "AI ingestion worker").</summary>
internal interface IRequirementsExtractor
{
    /// <summary>Recorded in the audit row of the blueprint write (<c>offline</c>, <c>llm</c>).</summary>
    string Name { get; }

    /// <summary>
    /// A valid blueprint, or a failure that retrying the same input cannot fix. A transient failure (timeout, 5xx,
    /// unreachable) throws <see cref="ExtractorUnavailableException"/> so that the job is retried with backoff.
    /// </summary>
    Task<ExtractionResult> ExtractAsync(string text, CancellationToken ct);
}

internal sealed record ExtractionResult(JsonDocument? Blueprint, string? Failure)
{
    public static ExtractionResult Success(JsonDocument blueprint) => new(blueprint, null);

    public static ExtractionResult Failed(string reason) => new(null, reason);
}

/// <summary>The extractor's service is unavailable for now (timeout, 5xx, 429, network): try again later.</summary>
internal sealed class ExtractorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
