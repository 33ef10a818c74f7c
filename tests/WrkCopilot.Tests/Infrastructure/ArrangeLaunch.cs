namespace WrkCopilot.Tests.Infrastructure;

/// <summary>A version as the launch flows see it: its automation, project and workflow (null when it has no binding).</summary>
public sealed record LaunchVersion(Guid AutomationId, Guid VersionId, Guid ProjectId, string? WorkflowId);

/// <summary>Arranges versions, signed quotes and workflow bindings as the table owner (what earlier flows would have written).</summary>
public static class ArrangeLaunch
{
    private const string Blueprint =
        """{"schema_version":1,"summary":"s","sections":[{"id":"sec_1","title":"Intake","steps":[{"id":"st_1","type":"trigger","title":"New lead","next":[]}]}],"metadata":{}}""";

    /// <summary>
    /// A version of <paramref name="automationId"/> (a new automation when null) in <paramref name="status"/> with its project,
    /// a signed quote when <paramref name="signedQuote"/>, and a binding in <paramref name="bindingStatus"/> unless null.
    /// </summary>
    public static async Task<LaunchVersion> LaunchVersionAsync(this WrkApp app, Guid tenantId, string status, Guid? automationId = null,
        int minor = 0, string? bindingStatus = "inactive", bool signedQuote = true, string? statusBeforeBlocked = null)
    {
        var automation = automationId ?? Guid.CreateVersion7();
        var version = Guid.CreateVersion7();
        var project = Guid.CreateVersion7();
        if (automationId is null)
        {
            await app.ExecuteAsync("INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@a, @t, 'Lead sync', now(), now())",
                ("a", automation), ("t", tenantId));
        }
        await app.ExecuteAsync("""
            INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, status_before_blocked,
                blocked_reason, blueprint_json, intake_progress, row_version, created_at, updated_at)
            VALUES (@v, @t, @a, @name, 1, @minor, @s, @sbb, CASE WHEN @s::text = 'blocked' THEN 'arranged' END, @bp::jsonb, 100, 1, now(), now());
            INSERT INTO projects (id, tenant_id, automation_id, automation_version_id, name, type, status, pricing_status,
                checklist_progress, created_at, updated_at)
            VALUES (@p, @t, @a, @v, 'Lead sync', 'new_automation', @s, 'signed', 100, now(), now());
            """, ("v", version), ("t", tenantId), ("a", automation), ("name", $"v1.{minor}"), ("minor", minor), ("s", status),
            ("sbb", (object?)statusBeforeBlocked ?? DBNull.Value), ("bp", Blueprint), ("p", project));
        if (signedQuote)
        {
            await app.InsertQuoteAsync(tenantId, version, "signed", signedAt: DateTimeOffset.UtcNow.AddDays(-3));
        }
        string? workflow = null;
        if (bindingStatus is not null)
        {
            workflow = $"wf_{Guid.NewGuid():N}";
            await app.ExecuteAsync("""
                INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at)
                VALUES (@id, @t, @v, @w, @s, now(), now())
                """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("v", version), ("w", workflow), ("s", bindingStatus));
        }
        return new LaunchVersion(automation, version, project, workflow);
    }

    public static async Task<string> VersionStatusAsync(this WrkApp app, Guid versionId) =>
        await app.ScalarAsync<string>("SELECT status FROM automation_versions WHERE id = @id", ("id", versionId)) ?? "";

    public static async Task<string> BindingStatusAsync(this WrkApp app, Guid versionId) =>
        await app.ScalarAsync<string>("SELECT status FROM workflow_bindings WHERE automation_version_id = @id", ("id", versionId)) ?? "";

    public static Task<long> TransitionAuditsAsync(this WrkApp app, Guid versionId) =>
        app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'status_transition' AND resource_id = @id", ("id", versionId));
}
