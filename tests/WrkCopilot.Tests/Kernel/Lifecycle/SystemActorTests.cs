using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Lifecycle;

/// <summary>Workers call the same handler as endpoints, as the system actor, in the job's tenant.</summary>
public sealed class SystemActorTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<ErrorOr<Decision>> AsWorkerAsync(Guid tenantId, Guid versionId, string target, string? reason = null,
        string? blockKind = null)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenantId);
        var db = sp.GetRequiredService<AppDbContext>();
        var handler = sp.GetRequiredService<LifecycleTransitionHandler>();
        return await UnitOfWork.RunAsync(db, async () =>
        {
            var version = await db.AutomationVersions.SingleAsync(v => v.Id == versionId);
            return await handler.ApplyAsync(version, new TransitionRequest(target, LifecycleActor.System, reason, BlockKind: blockKind), CancellationToken.None);
        }, CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_blocks_a_version_with_a_reason_and_the_audit_row_has_no_user()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, VersionStatuses.BuildInProgress);

        var result = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.Blocked, "WRK Platform refused the workflow: 422");

        Assert.False(result.IsError, result.IsError ? result.FirstError.Description : "");
        Assert.Equal("T11", result.Value.Transition.Id);
        Assert.Equal("blocked", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status_before_blocked FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal("blocked", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @id AND action_type = 'status_transition' AND user_id IS NULL AND tenant_id = @t",
            ("id", v.VersionId), ("t", tenant)));
        // The block task is for staff, has no author, and is a general to-do unless the worker says otherwise.
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM tasks WHERE tenant_id = @t AND context_type = 'automation_version' AND context_id = @id
              AND kind = 'general_todo' AND visibility = 'staff' AND priority = 'high' AND status = 'todo' AND created_by_id IS NULL
              AND title = 'Version v1.0 blocked: WRK Platform refused the workflow: 422'
            """, ("id", v.VersionId), ("t", tenant)));
    }

    [Fact]
    public async Task A_worker_blocking_on_credentials_creates_a_credentials_issue_task()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, VersionStatuses.Live);
        var reason = "Salesforce rejected the stored OAuth token; " + new string('x', 300);

        var result = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.Blocked, reason, blockKind: "credentials");

        Assert.False(result.IsError, result.IsError ? result.FirstError.Description : "");
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @id", ("id", v.VersionId)));
        Assert.Equal("credentials_issue", await app.ScalarAsync("SELECT kind FROM tasks WHERE context_id = @id", ("id", v.VersionId)));
        Assert.Equal("staff", await app.ScalarAsync("SELECT visibility FROM tasks WHERE context_id = @id", ("id", v.VersionId)));
        // The whole reason is kept in the description; the title stays short.
        Assert.Equal(reason, await app.ScalarAsync("SELECT description FROM tasks WHERE context_id = @id", ("id", v.VersionId)));
        var title = await app.ScalarAsync("SELECT title FROM tasks WHERE context_id = @id", ("id", v.VersionId));
        Assert.StartsWith("Version v1.0 blocked: Salesforce rejected the stored OAuth token; ", title);
        Assert.True(title.Length <= 150, title);
    }

    // T5 is the build worker's: it needs the binding the build saved, and then leaves QA its build checklist.
    [Fact]
    public async Task A_worker_moves_a_build_to_QA_only_once_its_binding_exists_and_QA_gets_the_checklist()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, VersionStatuses.BuildInProgress);

        var withoutBinding = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.QaTesting);
        Assert.True(withoutBinding.IsError);
        Assert.Equal(LifecycleKernel.GuardFailed, withoutBinding.FirstError.Code);
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE context_id = @id", ("id", v.VersionId)));

        await app.ExecuteAsync(
            "INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at) VALUES (@id, @t, @v, @w, 'inactive', now(), now())",
            ("id", Guid.CreateVersion7()), ("t", tenant), ("v", v.VersionId), ("w", $"wf_{Guid.NewGuid():N}"));
        var withBinding = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.QaTesting);

        Assert.False(withBinding.IsError, withBinding.IsError ? withBinding.FirstError.Description : "");
        Assert.Equal("T5", withBinding.Value.Transition.Id);
        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
        Assert.Equal(3, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE context_type = 'automation_version' AND context_id = @id AND kind = 'build_checklist' AND status = 'todo'",
            ("id", v.VersionId)));
    }

    [Fact]
    public async Task The_system_may_not_make_client_or_staff_decisions()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, VersionStatuses.IntakeInProgress);

        var result = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.NeedsPricing);

        Assert.True(result.IsError);
        Assert.Equal("forbidden", result.FirstError.Code);
    }

    [Fact]
    public async Task A_worker_in_another_tenant_cannot_see_the_version()
    {
        var owner = await app.InsertTenantAsync();
        var other = await app.InsertTenantAsync();
        var v = await app.VersionAsync(owner, VersionStatuses.BuildInProgress);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AsWorkerAsync(other, v.VersionId, VersionStatuses.Blocked, "x"));
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));
    }
}
