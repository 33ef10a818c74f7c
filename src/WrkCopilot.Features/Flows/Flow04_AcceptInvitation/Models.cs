using System.Text.Json.Serialization;

namespace WrkCopilot.Features.Flows.Flow04_AcceptInvitation;

public sealed class AcceptInvitationRequest
{
    public string Token { get; set; } = "";
    /// <summary>Required only when the invited email has no account yet.</summary>
    public string? Name { get; set; }
    /// <summary>Required only when the invited email has no account yet.</summary>
    public string? Password { get; set; }
}

/// <summary>
/// The membership the invitation granted. For a new account it also carries tokens for the invited
/// workspace (the same fields as signup's answer); for an existing account only the membership.
/// </summary>
public sealed record InvitationAccepted(
    Guid TenantId,
    Guid UserId,
    IReadOnlyList<string> Roles,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AccessToken = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpiresIn = null)
{
    [JsonIgnore]
    public bool AccountCreated => AccessToken is not null;
}
