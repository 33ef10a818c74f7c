using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// Arranges members and tokens without the login flow: users and memberships written through the app's
/// own DbContext (tenant set, so RLS applies), tokens minted by <see cref="SessionIssuer"/>. The roles in
/// a minted token are irrelevant: the auth handler loads roles from memberships.
/// </summary>
public static class MemberTokens
{
    /// <summary>A new user who is a member of <paramref name="tenantId"/> with <paramref name="roles"/>, with a token for it.</summary>
    public static async Task<Caller> AddMemberAsync(this WrkApp app, Guid tenantId, string[] roles, string? email = null)
    {
        email ??= Identities.NewEmail("member");
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, EmailNormalized = email.ToLowerInvariant(), Name = "Member " + roles[0],
            PasswordHash = sp.GetRequiredService<PasswordHasher>().Hash(Identities.Password), CreatedAt = now, UpdatedAt = now,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        await app.AddMembershipAsync(tenantId, user.Id, roles);
        var token = await app.TokenForAsync(user.Id, tenantId, roles);
        return new Caller(token.AccessToken, token.RefreshToken, tenantId, user.Id, email, Identities.Password);
    }

    /// <summary>Adds a membership for an existing user.</summary>
    public static async Task AddMembershipAsync(this WrkApp app, Guid tenantId, Guid userId, string[] roles)
    {
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.InTenantAsync(tenantId, async () =>
        {
            var now = DateTimeOffset.UtcNow;
            db.Memberships.Add(new Membership
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, UserId = userId, Roles = [.. roles], CreatedAt = now, UpdatedAt = now,
            });
            return await db.SaveChangesAsync();
        }, CancellationToken.None);
    }

    /// <summary>Mints tokens (a new session family) for a user in a tenant.</summary>
    public static async Task<TokenResponse> TokenForAsync(this WrkApp app, Guid userId, Guid tenantId, params string[] roles)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenantId);
        var tokens = sp.GetRequiredService<SessionIssuer>().Issue(userId, tenantId, roles);
        await sp.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return tokens;
    }

    /// <summary>The operator tenant's admin (seeded on first use in this database) with a token for the operator tenant.</summary>
    public static async Task<Caller> OperatorAdminAsync(this WrkApp app)
    {
        var email = Identities.NewEmail("staff");
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<OperatorSeeder>().SeedAsync(email, Identities.Password, "Staff Admin", "WRK", CancellationToken.None);
        }
        await using var scope2 = app.Scope();
        var db = scope2.ServiceProvider.GetRequiredService<AppDbContext>();
        var tenantId = await db.Tenants.Where(t => t.Kind == TenantKinds.Operator).Select(t => t.Id).SingleAsync();
        var userId = await db.Users.Where(u => u.EmailNormalized == email).Select(u => u.Id).SingleAsync();
        var token = await app.TokenForAsync(userId, tenantId, "admin");
        return new Caller(token.AccessToken, token.RefreshToken, tenantId, userId, email, Identities.Password);
    }
}
