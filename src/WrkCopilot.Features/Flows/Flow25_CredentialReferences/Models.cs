using System.ComponentModel.DataAnnotations;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

public sealed class GetCredentialsRequest
{
    public Guid Id { get; set; }
}

/// <summary>The whole list of a version's credential references (PUT replaces it: a system left out goes back to <c>pending</c>).</summary>
public sealed class PutCredentialsRequest
{
    public Guid Id { get; set; }
    // [MaxLength] only states the validator's limit in the OpenAPI document (maxItems); the validator enforces it.
    [MaxLength(PutCredentialsValidator.MaxEntries)]
    public List<CredentialInput>? Credentials { get; set; }
}

/// <summary>One system's credentials as the WRK Platform knows them: a reference to them there, never the secret itself.</summary>
public sealed class CredentialInput
{
    /// <summary>A system the version's blueprint names (matched case-insensitively).</summary>
    public string System { get; set; } = "";

    /// <summary><c>pending</c>, <c>connected</c> or <c>failed</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>The WRK Platform's credential id (<c>cred_…</c>, see <see cref="CredentialReferenceRules.Pattern"/>); required when connected.</summary>
    public string? Reference { get; set; }

    /// <summary>Why the credentials failed (only on <c>failed</c>).</summary>
    public string? Error { get; set; }
}

/// <param name="InBlueprint">False for a system the blueprint no longer names (kept until the next PUT replaces the list).</param>
/// <param name="UpdatedAt">Null while nothing was recorded for the system (a <c>pending</c> default).</param>
public sealed record CredentialView(string System, string Status, string? Reference, string? Error, bool InBlueprint, DateTimeOffset? UpdatedAt);

public sealed record CredentialsView(Guid AutomationVersionId, string VersionStatus, IReadOnlyList<CredentialView> Credentials);

internal static class CredentialStatuses
{
    public const string Pending = "pending";
    public const string Connected = "connected";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Connected, Failed];
}
