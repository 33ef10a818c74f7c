using ErrorOr;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Notifications;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Features.Kernel.Tasks;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow25_CredentialReferences;

/// <summary>
/// Flow 25: the credential references of a version, one per system its blueprint names (ADR 14). A system with nothing
/// recorded is <c>pending</c> and has no row; PUT replaces the whole list (a system left out goes back to pending) and is
/// idempotent: the same list again changes, audits and notifies nothing. A system newly <c>failed</c> gets a client-visible
/// <c>credentials_issue</c> task and a notification to the client admins and staff.
/// </summary>
internal sealed class CredentialReferencesHandler(AppDbContext db, ResourceScope scope, CurrentSession session, TaskWriter tasks,
    OutboxWriter outbox, AuditTrail audit, TimeProvider clock) : IHandler
{
    public async Task<ErrorOr<CredentialsView>> GetAsync(GetCredentialsRequest req, CancellationToken ct)
    {
        var version = await scope.EnterAsync("automation_versions", "automation_version", req.Id, ct)
            ? await db.AutomationVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == req.Id, ct)
            : null;
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var rows = await db.CredentialRefs.AsNoTracking().Where(c => c.AutomationVersionId == version.Id).ToListAsync(ct);
        return View(version, rows);
    }

    public async Task<ErrorOr<CredentialsView>> PutAsync(PutCredentialsRequest req, CancellationToken ct)
    {
        if (!await scope.EnterAsync("automation_versions", "automation_version", req.Id, ct))
        {
            return AppErrors.NotFound("Automation version");
        }
        // Locked for the unit of work: two PUTs on one version apply one after the other, each against the other's result.
        var version = await db.AutomationVersions.FromSql($"SELECT * FROM automation_versions WHERE id = {req.Id} FOR UPDATE")
            .AsNoTracking().FirstOrDefaultAsync(ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        if (version.Status == VersionStatuses.Archived)
        {
            return AppErrors.Conflict("version_not_editable", "An archived version is read-only.",
                new Dictionary<string, object> { ["current_status"] = version.Status });
        }

        var needed = BlueprintSystems.Of(version.BlueprintJson.RootElement);
        var canonical = needed.ToDictionary(s => s, s => s, StringComparer.OrdinalIgnoreCase);
        var entries = req.Credentials ?? [];
        var errors = new List<Error>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (!canonical.ContainsKey(entries[i].System.Trim()))
            {
                errors.Add(AppErrors.Validation($"$.credentials[{i}].system", needed.Count == 0
                    ? "The version's blueprint names no system, so it needs no credentials."
                    : $"Not a system of this version's blueprint; its systems are: {string.Join(", ", needed)}."));
            }
        }
        if (errors.Count > 0)
        {
            return errors;
        }

        var rows = await db.CredentialRefs.Where(c => c.AutomationVersionId == version.Id).ToListAsync(ct);
        var existing = new Dictionary<string, CredentialRef>(StringComparer.OrdinalIgnoreCase);
        var removedOthers = false;
        foreach (var row in rows)
        {
            // A system the blueprint no longer names, or a second spelling of one, is not part of the new list.
            if (!canonical.ContainsKey(row.System) || !existing.TryAdd(row.System, row))
            {
                db.CredentialRefs.Remove(row);
                removedOthers = true;
            }
        }

        var now = clock.GetUtcNow();
        var wanted = entries.ToDictionary(e => canonical[e.System.Trim()], StringComparer.OrdinalIgnoreCase);
        var changed = new List<string>();
        var newlyFailed = new List<(string System, string? Error)>();
        foreach (var system in needed)
        {
            existing.TryGetValue(system, out var row);
            var before = row is null ? new State(CredentialStatuses.Pending, null, null) : new State(row.Status, row.WrkCredentialRef, row.Error);
            var after = wanted.TryGetValue(system, out var input)
                ? new State(input.Status, Blank(input.Reference), Blank(input.Error))
                : new State(CredentialStatuses.Pending, null, null);
            if (before != after || (row is not null && row.System != system))
            {
                changed.Add(system);
            }
            if (after.IsDefault)
            {
                // Pending with nothing recorded is the default: no row, so "no row" and "pending" never disagree.
                if (row is not null)
                {
                    db.CredentialRefs.Remove(row);
                }
            }
            else if (row is null)
            {
                db.CredentialRefs.Add(new CredentialRef
                {
                    Id = Guid.CreateVersion7(),
                    TenantId = version.TenantId,
                    AutomationVersionId = version.Id,
                    System = system,
                    Status = after.Status,
                    WrkCredentialRef = after.Reference,
                    Error = after.Error,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
            }
            else if (before != after || row.System != system)
            {
                row.System = system;
                row.Status = after.Status;
                row.WrkCredentialRef = after.Reference;
                row.Error = after.Error;
                row.UpdatedAt = now;
            }
            if (after.Status == CredentialStatuses.Failed && before.Status != CredentialStatuses.Failed)
            {
                newlyFailed.Add((system, after.Error));
            }
        }

        if (changed.Count > 0 || removedOthers)
        {
            await RaiseFailuresAsync(version, newlyFailed, ct);
            audit.Record("credentials_updated", "automation_version", version.Id, new
            {
                changed_systems = changed,
                credentials = needed.Select(s => wanted.TryGetValue(s, out var e)
                    ? new { system = s, status = e.Status, reference = Blank(e.Reference) }
                    : new { system = s, status = CredentialStatuses.Pending, reference = (string?)null }).ToList(),
            });
            await db.SaveChangesAsync(ct);
        }
        var saved = await db.CredentialRefs.AsNoTracking().Where(c => c.AutomationVersionId == version.Id).ToListAsync(ct);
        return View(version, saved);
    }

    private async Task RaiseFailuresAsync(AutomationVersion version, List<(string System, string? Error)> failed, CancellationToken ct)
    {
        if (failed.Count == 0)
        {
            return;
        }
        var name = await db.Projects.AsNoTracking().Where(p => p.AutomationVersionId == version.Id).Select(p => p.Name)
            .FirstOrDefaultAsync(ct) ?? version.Version;
        var actor = session.Required;
        foreach (var (system, error) in failed)
        {
            // Client-visible and unassigned: the client holds the credentials, staff see every task anyway.
            tasks.Create(new NewTask(TaskContextTypes.AutomationVersion, version.Id, TaskKinds.CredentialsIssue,
                $"Fix the {system} credentials of {name} ({version.Version})", Visibility.Client, Priority: "high",
                Description: error ?? $"The WRK Platform could not use the {system} credentials. Reconnect them on the WRK Platform and update the reference.",
                CreatedById: actor.IsApiKey ? null : actor.UserId));
        }
        var systems = failed.Select(f => f.System).ToList();
        var data = new { automation_version_id = version.Id, systems };
        var title = $"Credentials failed for {name} ({version.Version}): {string.Join(", ", systems)}";
        const string body = "Reconnect them on the WRK Platform and update the credential reference.";
        outbox.Notify("credentials.failed", data, NotificationAudience.TenantAdmins(actor.IsStaff ? null : actor.UserId), title, body);
        outbox.Notify("credentials.failed", data, NotificationAudience.Staff(actor.IsStaff ? actor.UserId : null), title, body);
    }

    private static CredentialsView View(AutomationVersion version, List<CredentialRef> rows)
    {
        var needed = BlueprintSystems.Of(version.BlueprintJson.RootElement);
        var byName = rows.GroupBy(r => r.System, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var items = needed.Select(s => byName.TryGetValue(s, out var r)
                ? new CredentialView(s, r.Status, r.WrkCredentialRef, r.Error, true, r.UpdatedAt)
                : new CredentialView(s, CredentialStatuses.Pending, null, null, true, null))
            .Concat(rows.Where(r => !needed.Contains(r.System, StringComparer.OrdinalIgnoreCase)).OrderBy(r => r.System, StringComparer.Ordinal)
                .Select(r => new CredentialView(r.System, r.Status, r.WrkCredentialRef, r.Error, false, r.UpdatedAt)))
            .ToList();
        return new CredentialsView(version.Id, version.Status, items);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private sealed record State(string Status, string? Reference, string? Error)
    {
        public bool IsDefault => Status == CredentialStatuses.Pending && Reference is null && Error is null;
    }
}
