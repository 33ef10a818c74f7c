namespace WrkCopilot.Tests.Infrastructure;

/// <summary>An automation with one version and its project, as Flow 8 would have written them.</summary>
public sealed record CollabProject(Guid TenantId, Guid AutomationId, Guid VersionId, Guid ProjectId);

/// <summary>Rows the collaboration flows (30–32) work on, inserted as the table owner.</summary>
public static class ArrangeCollaboration
{
    public static async Task<CollabProject> CollabProjectAsync(this WrkApp app, Guid tenantId, string status = "intake_in_progress")
    {
        var v = await app.VersionAsync(tenantId, status, name: "Invoice triage");
        return new CollabProject(tenantId, v.AutomationId, v.VersionId, v.ProjectId);
    }

    /// <summary>A second version of an automation, with its own project (a revision).</summary>
    public static async Task<CollabProject> CollabRevisionAsync(this WrkApp app, CollabProject of)
    {
        var p = of with { VersionId = Guid.CreateVersion7(), ProjectId = Guid.CreateVersion7() };
        await app.ExecuteAsync("""
            INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json,
                intake_progress, row_version, created_at, updated_at)
            VALUES (@v, @t, @a, 'v1.1', 1, 1, 'intake_in_progress', '{}'::jsonb, 0, 1, now(), now());
            INSERT INTO projects (id, tenant_id, automation_id, automation_version_id, name, type, status, pricing_status,
                checklist_progress, created_at, updated_at)
            VALUES (@p, @t, @a, @v, 'Invoice triage v1.1', 'revision', 'intake_in_progress', 'none', 0, now(), now());
            """, ("a", p.AutomationId), ("t", p.TenantId), ("v", p.VersionId), ("p", p.ProjectId));
        return p;
    }

    public static async Task<Guid> CollabArtifactAsync(this WrkApp app, Guid tenantId, Guid versionId, string fileName = "requirements.md")
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO requirement_artifacts (id, tenant_id, automation_version_id, kind, file_name, content_type, size_bytes, sha256, status, created_at)
            VALUES (@id, @t, @v, 'file', @f, 'text/markdown', 42, 'abc', 'processed', now())
            """, ("id", id), ("t", tenantId), ("v", versionId), ("f", fileName));
        return id;
    }

    public static async Task<Guid> CollabClientAsync(this WrkApp app, Guid tenantId)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO clients (id, tenant_id, name, health_status, committed_monthly_spend, created_at, updated_at)
            VALUES (@id, @t, 'Acme', 'good', 0, now(), now())
            """, ("id", id), ("t", tenantId));
        return id;
    }

    public static async Task<Guid> CollabTaskAsync(this WrkApp app, Guid tenantId, string contextType, Guid contextId,
        string kind = "general_todo", string visibility = "client", string status = "todo", Guid? assigneeId = null, string title = "A task")
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO tasks (id, tenant_id, context_type, context_id, kind, title, status, visibility, assignee_id, priority,
                row_version, created_at, updated_at)
            VALUES (@id, @t, @ct, @c, @k, @title, @s, @vis, @as, 'medium', 1, now(), now())
            """, ("id", id), ("t", tenantId), ("ct", contextType), ("c", contextId), ("k", kind), ("title", title), ("s", status),
            ("vis", visibility), ("as", (object?)assigneeId ?? DBNull.Value));
        return id;
    }

    public static Task<int> SetSlackWebhookAsync(this WrkApp app, Guid tenantId, string? url) => app.ExecuteAsync(
        "UPDATE tenants SET slack_webhook_url = @u WHERE id = @t", ("t", tenantId), ("u", (object?)url ?? DBNull.Value));
}
