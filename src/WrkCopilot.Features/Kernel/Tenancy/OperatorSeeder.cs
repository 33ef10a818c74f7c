using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// Creates the operator tenant (WRK itself) if missing and makes the given account its <c>admin</c>.
/// Idempotent. There is no default password: the caller supplies one.
/// </summary>
public sealed class OperatorSeeder(AppDbContext db, PasswordHasher hasher, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<string> SeedAsync(string email, string password, string name, string workspace, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var normalized = email.Trim().ToLowerInvariant();
        var op = await db.Tenants.FirstOrDefaultAsync(t => t.Kind == TenantKinds.Operator, ct);
        if (op is null)
        {
            op = new Tenant { Id = Guid.CreateVersion7(), Name = workspace, Kind = TenantKinds.Operator, CreatedAt = now, UpdatedAt = now };
            db.Tenants.Add(op);
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.EmailNormalized == normalized, ct);
        if (user is null)
        {
            user = new User
            {
                Id = Guid.CreateVersion7(), Email = email.Trim(), EmailNormalized = normalized, Name = name,
                PasswordHash = hasher.Hash(password), CreatedAt = now, UpdatedAt = now,
            };
            db.Users.Add(user);
        }
        await db.SaveChangesAsync(ct);

        return await db.InTenantAsync(op.Id, async () =>
        {
            var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id, ct);
            if (membership is null)
            {
                db.Memberships.Add(new Membership
                {
                    Id = Guid.CreateVersion7(), TenantId = op.Id, UserId = user.Id, Roles = ["admin"], CreatedAt = now, UpdatedAt = now,
                });
            }
            else if (!membership.Roles.Contains("admin"))
            {
                membership.Roles = [.. membership.Roles, "admin"];
                membership.UpdatedAt = now;
            }
            audit.Record("operator_seeded", "user", user.Id, new { email = user.Email });
            await db.SaveChangesAsync(ct);
            return $"Operator tenant {op.Id} ('{op.Name}'): {user.Email} is admin.";
        }, ct);
    }
}
