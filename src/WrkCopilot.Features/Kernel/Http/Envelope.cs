namespace WrkCopilot.Features.Kernel.Http;

/// <summary>The success envelope: <c>{ "data": …, "meta": { … } }</c>.</summary>
public sealed record Envelope<T>(T Data, Dictionary<string, object?> Meta)
{
    public static Envelope<T> Of(T data) => new(data, []);
}

/// <summary>A list envelope: <c>meta</c> carries <c>next_cursor</c> (null at the end) and <c>limit</c>.</summary>
public sealed record ListEnvelope<T>(IReadOnlyList<T> Data, PageMeta Meta);

public sealed record PageMeta(string? NextCursor, int Limit);

/// <summary>What a list handler returns.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor, int Limit);
