using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow01_SignUp;

/// <summary>Flow 1: a new user, a new client tenant, an <c>admin</c> membership, and tokens.</summary>
internal sealed class SignUpHandler(AppDbContext db, TenantContext tenant, PasswordHasher hasher, SessionIssuer sessions,
    AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<TokenResponse>> HandleAsync(SignUpRequest req, CancellationToken ct)
    {
        var email = req.Email.Trim();
        var normalized = email.ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.EmailNormalized == normalized, ct))
        {
            return AppErrors.Conflict("email_taken", "An account with this email already exists.");
        }
        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(), Email = email, EmailNormalized = normalized, Name = req.Name.Trim(),
            PasswordHash = hasher.Hash(req.Password), CreatedAt = now, UpdatedAt = now,
        };
        var workspace = new Tenant
        {
            Id = Guid.CreateVersion7(), Name = req.WorkspaceName.Trim(), Kind = TenantKinds.Client, CreatedAt = now, UpdatedAt = now,
        };
        db.Users.Add(user);
        db.Tenants.Add(workspace);

        // The new tenant is the unit of work's tenant from here on (RLS sees it for the membership insert).
        tenant.Set(workspace.Id);
        await db.ApplyTenantAsync(ct);
        db.Memberships.Add(new Membership
        {
            Id = Guid.CreateVersion7(), TenantId = workspace.Id, UserId = user.Id, Roles = ["admin"], CreatedAt = now, UpdatedAt = now,
        });
        audit.Record("signup", "tenant", workspace.Id, new { user_id = user.Id });
        var tokens = sessions.Issue(user.Id, workspace.Id, ["admin"]);
        await db.SaveChangesAsync(ct);
        return tokens;
    }
}
