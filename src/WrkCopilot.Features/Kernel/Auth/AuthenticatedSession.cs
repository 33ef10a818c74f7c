using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Kernel.Auth;

public enum AuthMethod
{
    Password,
    ExternalIdp,
    ApiKey,
}

/// <summary>Who is calling: tenant, user, roles (from memberships, never from the token), staff or not.</summary>
public sealed record AuthenticatedSession(
    Guid TenantId,
    string TenantKind,
    Guid? UserId,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions,
    AuthMethod Method,
    Guid? SessionId = null,
    Guid? ApiKeyId = null)
{
    /// <summary>Roles qualified by tenant kind, e.g. <c>client:admin</c>.</summary>
    public IReadOnlyList<string> QualifiedRoles { get; } = Roles.Select(r => AppRoles.Qualify(TenantKind, r)).ToList();

    public bool IsStaff => TenantKind == TenantKinds.Operator && Method != AuthMethod.ApiKey && Roles.Count > 0;

    public bool IsApiKey => Method == AuthMethod.ApiKey;

    public bool Has(string qualifiedRole) => QualifiedRoles.Contains(qualifiedRole);

    public bool HasAny(IEnumerable<string> qualifiedRoles) => qualifiedRoles.Any(QualifiedRoles.Contains);

    /// <summary>The principal for idempotency keys and rate limits.</summary>
    public string Principal => ApiKeyId is { } k ? $"key:{k}" : $"user:{UserId}:{TenantId}";
}

/// <summary>Scoped holder for the current request's or job's session.</summary>
public sealed class CurrentSession
{
    private AuthenticatedSession? _session;

    public AuthenticatedSession? Value => _session;

    public AuthenticatedSession Required =>
        _session ?? throw new InvalidOperationException("This code path requires an authenticated session.");

    internal void Set(AuthenticatedSession session) => _session = session;
}
