using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>One of a user's memberships as <c>app_user_memberships</c> returns it (oldest first).</summary>
public sealed class UserMembership
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string TenantKind { get; init; } = "";
    public List<string> Roles { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
}

public static class UserMemberships
{
    /// <summary>
    /// A user's memberships across tenants, read fresh (not from the role cache) through the
    /// SECURITY DEFINER function, because login, refresh and switch run before any tenant is set.
    /// </summary>
    public static Task<List<UserMembership>> UserMembershipsAsync(this AppDbContext db, Guid userId, CancellationToken ct) =>
        db.Database.SqlQuery<UserMembership>(
                $"SELECT tenant_id, tenant_name, tenant_kind, roles, created_at FROM app_user_memberships({userId})")
            .ToListAsync(ct);
}
