using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Features.Kernel.Auth;

/// <summary>
/// Serialises session issuing against session revocation on the user's row. A refresh inserts its replacement
/// session under a shared lock; a revoker (password reset, logout, member removal) takes the exclusive lock
/// first, so its UPDATE sees every session committed before it and no refresh can slip a new one in meanwhile.
/// Both must run inside the unit of work's transaction.
/// </summary>
public static class SessionLocks
{
    public static Task IssuingForAsync(this AppDbContext db, Guid userId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR SHARE", ct);

    public static Task RevokingForAsync(this AppDbContext db, Guid userId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", ct);
}
