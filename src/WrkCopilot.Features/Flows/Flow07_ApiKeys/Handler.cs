using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow07_ApiKeys;

/// <summary>Flow 7: a client admin creates, lists and revokes the workspace's API keys.</summary>
internal sealed class ApiKeysHandler(AppDbContext db, CurrentSession current, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<ApiKeyCreated>> CreateAsync(CreateApiKeyRequest req, CancellationToken ct)
    {
        var session = current.Required;
        var now = clock.GetUtcNow();
        if (req.ExpiresAt is { } exp && exp <= now)
        {
            return AppErrors.Validation("$.expires_at", "The expiry must be in the future.");
        }
        var (key, prefix) = ApiKeyFormat.Generate();
        var row = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            TenantId = session.TenantId,
            Name = req.Name.Trim(),
            Prefix = prefix,
            SecretHash = Secrets.Hash(key),
            Permissions = req.Permissions.Distinct(StringComparer.Ordinal).ToList(),
            CreatedById = session.UserId ?? Guid.Empty,
            CreatedAt = now,
            ExpiresAt = req.ExpiresAt?.ToUniversalTime(),
        };
        db.ApiKeys.Add(row);
        audit.Record("api_key_created", "api_key", row.Id, new { name = row.Name, prefix, permissions = row.Permissions, expires_at = row.ExpiresAt });
        await db.SaveChangesAsync(ct);
        return new ApiKeyCreated(row.Id, row.Name, prefix, row.Permissions, row.ExpiresAt, row.CreatedAt, key);
    }

    public async Task<ErrorOr<Page<ApiKeyView>>> ListAsync(ListApiKeysRequest req, CancellationToken ct)
    {
        var tenantId = current.Required.TenantId;
        return await db.ApiKeys.AsNoTracking()
            .Where(k => k.TenantId == tenantId)
            .ToPageAsync(req, k => k.CreatedAt, k => k.Id, k => new ApiKeyView(
                k.Id, k.Name, k.Prefix, k.Permissions, k.CreatedById, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt), ct);
    }

    public async Task<ErrorOr<Success>> RevokeAsync(RevokeApiKeyRequest req, CancellationToken ct)
    {
        var tenantId = current.Required.TenantId;
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == req.Id && k.TenantId == tenantId, ct);
        if (key is null)
        {
            return AppErrors.NotFound("API key");
        }
        if (key.RevokedAt is not null)
        {
            return Result.Success; // revoking twice changes nothing
        }
        // The authentication handler reads api_keys on every request, so the key stops working at commit.
        key.RevokedAt = clock.GetUtcNow();
        audit.Record("api_key_revoked", "api_key", key.Id, new { name = key.Name, prefix = key.Prefix });
        await db.SaveChangesAsync(ct);
        return Result.Success;
    }
}
