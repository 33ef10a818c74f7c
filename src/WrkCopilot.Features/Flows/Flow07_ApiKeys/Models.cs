using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow07_ApiKeys;

public sealed class CreateApiKeyRequest
{
    public string Name { get; set; } = "";
    public List<string> Permissions { get; set; } = [];
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>The key as created; <see cref="Key"/> (<c>wrk_live_&lt;prefix&gt;_&lt;secret&gt;</c>) is shown here once and never again.</summary>
public sealed record ApiKeyCreated(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Permissions, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt, string Key);

public sealed class ListApiKeysRequest : PageQuery;

/// <summary>A key as listed: never its secret or hash.</summary>
public sealed record ApiKeyView(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Permissions,
    Guid CreatedById,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

public sealed class RevokeApiKeyRequest
{
    public Guid Id { get; set; }
}
