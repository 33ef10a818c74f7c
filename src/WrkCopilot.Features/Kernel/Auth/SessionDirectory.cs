using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// Loads what a token does not carry: the tenant's kind and the caller's roles from <c>memberships</c>
/// (cached at most <see cref="AuthOptions.RoleCacheDuration"/>, memory or Redis through HybridCache),
/// and whether the token's session family is still alive.
/// </summary>
public sealed class SessionDirectory(AppDbContext db, HybridCache cache, IOptions<AuthOptions> options, TimeProvider clock)
{
    public sealed record MembershipView(string TenantKind, List<string> Roles);

    private HybridCacheEntryOptions Entry => new()
    {
        Expiration = options.Value.RoleCacheDuration,
        LocalCacheExpiration = options.Value.RoleCacheDuration,
    };

    public async Task<MembershipView?> MembershipAsync(Guid tenantId, Guid userId, CancellationToken ct)
    {
        // Through the SECURITY DEFINER lookup: authentication must not set the request's tenant before it succeeds.
        var view = await cache.GetOrCreateAsync(RoleKey(tenantId, userId), async token =>
        {
            var membership = (await db.UserMembershipsAsync(userId, token)).FirstOrDefault(m => m.TenantId == tenantId);
            return membership is null ? new MembershipView("", []) : new MembershipView(membership.TenantKind, membership.Roles);
        }, Entry, cancellationToken: ct);
        return view.Roles.Count == 0 ? null : view;
    }

    public async Task<bool> SessionAliveAsync(Guid familyId, CancellationToken ct)
    {
        var alive = await cache.GetOrCreateAsync(SessionKey(familyId), async token =>
        {
            var now = clock.GetUtcNow();
            return await db.Sessions.AsNoTracking().AnyAsync(s => s.FamilyId == familyId && s.RevokedAt == null && s.ExpiresAt > now, token);
        }, Entry, cancellationToken: ct);
        return alive;
    }

    public async Task<string?> TenantKindAsync(Guid tenantId, CancellationToken ct) =>
        await cache.GetOrCreateAsync($"tenant-kind:{tenantId}", async token =>
            await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Kind).FirstOrDefaultAsync(token) ?? "",
            new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) }, cancellationToken: ct) is { Length: > 0 } k ? k : null;

    /// <summary>Called when roles change or a member is removed: this instance forgets at once, others within the cache duration.</summary>
    public ValueTask ForgetMembershipAsync(Guid tenantId, Guid userId, CancellationToken ct) => cache.RemoveAsync(RoleKey(tenantId, userId), ct);

    public ValueTask ForgetSessionAsync(Guid familyId, CancellationToken ct) => cache.RemoveAsync(SessionKey(familyId), ct);

    private static string RoleKey(Guid tenantId, Guid userId) => $"roles:{tenantId}:{userId}";

    private static string SessionKey(Guid familyId) => $"session:{familyId}";
}
