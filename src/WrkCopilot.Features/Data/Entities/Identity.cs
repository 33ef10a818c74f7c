namespace WrkCopilot.Features.Data.Entities;

/// <summary>Marks a row that belongs to one tenant: it gets an EF query filter and an RLS policy.</summary>
public interface ITenantScoped
{
    Guid TenantId { get; set; }
}

public static class TenantKinds
{
    public const string Client = "client";
    public const string Operator = "operator";
}

public sealed class Tenant
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string Currency { get; set; } = "USD";
    /// <summary>Whether requirement artifacts may be sent to the configured LLM (Flow 9).</summary>
    public bool AiProcessing { get; set; } = true;
    public string? SlackWebhookUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    /// <summary>Lower-cased email; unique.</summary>
    public required string EmailNormalized { get; set; }
    public required string Name { get; set; }
    public string? PasswordHash { get; set; }
    public string? ExternalIssuer { get; set; }
    public string? ExternalSubject { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
}

public sealed class Membership : ITenantScoped
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public List<string> Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A refresh-token session. Rotation keeps the family; reuse of a rotated token revokes the family.</summary>
public sealed class Session
{
    public Guid Id { get; set; }
    public Guid FamilyId { get; set; }
    public Guid UserId { get; set; }
    public Guid TenantId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public Guid? ReplacedById { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? UserAgent { get; set; }
    public string? IpAddress { get; set; }
}

public sealed class Invitation
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Email { get; set; }
    public required string EmailNormalized { get; set; }
    public List<string> Roles { get; set; } = [];
    public required string TokenHash { get; set; }
    public Guid InvitedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public Guid? AcceptedUserId { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>When the invitation email was claimed for sending: set before the send, so a retried job never mails it twice.</summary>
    public DateTimeOffset? EmailSentAt { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    /// <summary>Public lookup part of <c>wrk_live_&lt;prefix&gt;_&lt;secret&gt;</c>; unique.</summary>
    public required string Prefix { get; set; }
    public required string SecretHash { get; set; }
    public List<string> Permissions { get; set; } = [];
    public Guid CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

public sealed class PasswordResetToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}
