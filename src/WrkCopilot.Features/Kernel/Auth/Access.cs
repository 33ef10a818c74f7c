using Microsoft.AspNetCore.Authorization;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// What an endpoint allows, declared on the endpoint. A JWT session satisfies it by holding one of
/// the qualified <see cref="AllowedRoles"/>; an API key only by holding <see cref="Permission"/>
/// (an API key never satisfies a role check). Kept as endpoint metadata so the RBAC matrix can read it.
/// </summary>
public sealed class AccessRequirement(IReadOnlyList<string> allowedRoles, string? permission) : IAuthorizationRequirement
{
    public IReadOnlyList<string> AllowedRoles { get; } = allowedRoles;
    public string? Permission { get; } = permission;

    public bool IsSatisfiedBy(AuthenticatedSession session) => session.IsApiKey
        ? Permission is not null && session.Permissions.Contains(Permission)
        : session.HasAny(AllowedRoles);
}

internal sealed class AccessRequirementHandler(CurrentSession current) : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (current.Value is { } session && requirement.IsSatisfiedBy(session))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Marks an endpoint that any authenticated session may call (e.g. <c>GET /v1/users/me</c>); API keys excluded unless stated.</summary>
public sealed class AnyUserRequirement(bool allowApiKeys) : IAuthorizationRequirement
{
    public bool AllowApiKeys { get; } = allowApiKeys;
}

internal sealed class AnyUserRequirementHandler(CurrentSession current) : AuthorizationHandler<AnyUserRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AnyUserRequirement requirement)
    {
        if (current.Value is { } session && (requirement.AllowApiKeys || !session.IsApiKey))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
