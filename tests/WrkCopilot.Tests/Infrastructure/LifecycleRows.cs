namespace WrkCopilot.Tests.Infrastructure;

public sealed record ArrangedVersion(Guid AutomationId, Guid VersionId, Guid ProjectId);

/// <summary>Arranges automations, versions, projects, quotes and tasks as the table owner (what earlier flows would have written).</summary>
internal static class LifecycleRows
{
    public const string OneStepBlueprint =
        """{"schema_version":1,"summary":"s","sections":[{"id":"sec_1","title":"Intake","steps":[{"id":"st_1","type":"trigger","title":"New lead","next":[]}]}],"metadata":{}}""";

    /// <summary>An automation with one version (<c>v1.0</c>) in <paramref name="status"/> and its project, as Flow 8 would write them.</summary>
    public static async Task<ArrangedVersion> VersionAsync(this WrkApp app, Guid tenantId, string status,
        string? statusBeforeBlocked = null, string blueprint = OneStepBlueprint, string name = "Lead sync")
    {
        var ids = new ArrangedVersion(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await app.ExecuteAsync("""
            INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@a, @t, @n, now(), now());
            INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, status_before_blocked,
                blocked_reason, blueprint_json, intake_progress, row_version, created_at, updated_at)
            VALUES (@v, @t, @a, 'v1.0', 1, 0, @s, @sbb, CASE WHEN @s::text = 'blocked' THEN 'arranged' END, @bp::jsonb, 0, 1, now(), now());
            INSERT INTO projects (id, tenant_id, automation_id, automation_version_id, name, type, status, pricing_status,
                checklist_progress, created_at, updated_at)
            VALUES (@p, @t, @a, @v, @n, 'new_automation', @s, 'none', 0, now(), now());
            """, ("n", name), ("a", ids.AutomationId), ("t", tenantId), ("v", ids.VersionId), ("p", ids.ProjectId), ("s", status),
            ("sbb", (object?)statusBeforeBlocked ?? DBNull.Value), ("bp", blueprint));
        return ids;
    }

    /// <summary>A quote of the version, pricing its blueprint as it is now (as Flow 11's draft would).</summary>
    public static async Task QuoteAsync(this WrkApp app, Guid tenantId, Guid versionId, string status)
    {
        var blueprint = await app.ScalarAsync<string>("SELECT blueprint_json::text FROM automation_versions WHERE id = @v", ("v", versionId));
        using var doc = System.Text.Json.JsonDocument.Parse(blueprint!);
        await app.ExecuteAsync("""
            INSERT INTO quotes (id, tenant_id, automation_version_id, kind, status, currency, setup_fee, unit_price, estimated_volume,
                effective_unit_price, blueprint_sha256, row_version, created_at, updated_at)
            VALUES (@id, @t, @v, 'initial', @s, 'USD', 1500.00, 0.2500, 10000, 0.2500, @h, 1, now(), now())
            """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("v", versionId), ("s", status),
            ("h", WrkCopilot.Features.Kernel.Quotes.QuoteSignature.BlueprintSha256(doc.RootElement)));
    }

    public static async Task<Guid> TaskAsync(this WrkApp app, Guid tenantId, string contextType, Guid contextId, string status,
        string kind = "general_todo")
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, context_type, context_id, kind, title, status, visibility, priority, row_version, created_at, updated_at)
            VALUES (@id, @t, @ct, @c, @k, 'A task', @s, 'client', 'medium', 1, now(), now())
            """, ("id", id), ("t", tenantId), ("ct", contextType), ("c", contextId), ("k", kind), ("s", status));
        return id;
    }

    /// <summary>The first column of the first row, as text (statuses, row versions).</summary>
    public static async Task<string> ScalarAsync(this WrkApp app, string sql, params (string Name, object Value)[] args) =>
        Convert.ToString(await app.ScalarAsync<object>(sql, args), System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
