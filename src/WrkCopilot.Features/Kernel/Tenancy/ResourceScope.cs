using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Hosting;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// Finds a resource for the caller: a client session sees only its own tenant (query filters and RLS do the rest);
/// staff are moved into the resource's own tenant first (<see cref="StaffElevation"/>, audited). Null means 404,
/// whether the id does not exist or belongs to a tenant the caller may not see.
/// </summary>
public sealed class ResourceScope(AppDbContext db, CurrentSession session, StaffElevation elevation) : IHandler
{
    /// <summary>Enters the tenant of <paramref name="table"/>/<paramref name="id"/> when the caller is staff; false when it does not exist.</summary>
    public async Task<bool> EnterAsync(string table, string resourceType, Guid id, CancellationToken ct) =>
        !session.Required.IsStaff || await elevation.ElevateAsync(table, resourceType, id, ct) is not null;

    /// <summary>The version, tracked (to be changed in this unit of work).</summary>
    public async Task<AutomationVersion?> VersionAsync(Guid id, CancellationToken ct) =>
        await EnterAsync("automation_versions", "automation_version", id, ct)
            ? await db.AutomationVersions.FirstOrDefaultAsync(v => v.Id == id, ct)
            : null;

    /// <summary>The automation, tracked.</summary>
    public async Task<Automation?> AutomationAsync(Guid id, CancellationToken ct) =>
        await EnterAsync("automations", "automation", id, ct)
            ? await db.Automations.FirstOrDefaultAsync(a => a.Id == id, ct)
            : null;
}
