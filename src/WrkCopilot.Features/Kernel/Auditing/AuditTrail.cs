using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Kernel.Auditing;

/// <summary>
/// Adds an <c>audit_logs</c> row to the current unit of work, so it commits with the change it records.
/// The row goes into the tenant the work runs in (for staff acting on a client resource: the client's
/// tenant, with the staff user as actor).
/// </summary>
public sealed class AuditTrail(AppDbContext db, CurrentSession session, TenantContext tenant, TimeProvider clock,
    IHttpContextAccessor http)
{
    public AuditLog Record(string actionType, string resourceType, Guid? resourceId, object? metadata = null)
    {
        var tenantId = tenant.TenantId ?? throw new InvalidOperationException("Audit rows need a tenant.");
        var meta = new Dictionary<string, object?>();
        if (metadata is not null)
        {
            foreach (var (k, v) in JsonSerializer.SerializeToElement(metadata, JsonDefaults.Options).EnumerateObject().Select(p => (p.Name, p.Value)))
            {
                meta[k] = v;
            }
        }
        var s = session.Value;
        if (s is not null)
        {
            if (s.TenantId != tenantId)
            {
                meta["actor_tenant_id"] = s.TenantId;
            }
            if (s.ApiKeyId is { } keyId)
            {
                meta["api_key_id"] = keyId;
            }
            if (s.IsStaff)
            {
                meta["actor_is_staff"] = true;
            }
        }
        var row = new AuditLog
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            UserId = s?.UserId,
            ActionType = actionType,
            ResourceType = resourceType,
            ResourceId = resourceId,
            MetadataJson = JsonSerializer.SerializeToDocument(meta, JsonDefaults.Options),
            RequestId = http.HttpContext is { } ctx ? RequestIds.Get(ctx) : null,
            CreatedAt = clock.GetUtcNow(),
        };
        db.AuditLogs.Add(row);
        return row;
    }
}
