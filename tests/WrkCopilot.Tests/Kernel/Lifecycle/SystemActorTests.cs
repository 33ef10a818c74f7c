using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Lifecycle;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Flows.Flow13_StatusRouter;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Lifecycle;

/// <summary>Workers call the same handler as endpoints, as the system actor, in the job's tenant.</summary>
public sealed class SystemActorTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<ErrorOr<Decision>> AsWorkerAsync(Guid tenantId, Guid versionId, string target, string? reason = null)
    {
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenantId);
        var db = sp.GetRequiredService<AppDbContext>();
        var handler = sp.GetRequiredService<LifecycleTransitionHandler>();
        return await UnitOfWork.RunAsync(db, async () =>
        {
            var version = await db.AutomationVersions.SingleAsync(v => v.Id == versionId);
            return await handler.ApplyAsync(version, new TransitionRequest(target, LifecycleActor.System, reason), CancellationToken.None);
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
    }

    [Fact]
    public async Task A_worker_moves_a_build_to_QA_only_once_the_binding_exists()
    {
        var tenant = await app.InsertTenantAsync();
        var v = await app.VersionAsync(tenant, VersionStatuses.BuildInProgress);

        var refused = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.QaTesting);
        Assert.True(refused.IsError);
        Assert.Equal(LifecycleKernel.GuardFailed, refused.FirstError.Code);
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", v.VersionId)));

        await app.ExecuteAsync(
            "INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at) VALUES (@id, @t, @v, @w, 'inactive', now(), now())",
            ("id", Guid.CreateVersion7()), ("t", tenant), ("v", v.VersionId), ("w", $"wf_{Guid.NewGuid():N}"));
        var moved = await AsWorkerAsync(tenant, v.VersionId, VersionStatuses.QaTesting);

        Assert.False(moved.IsError, moved.IsError ? moved.FirstError.Description : "");
        Assert.Equal("qa_testing", await app.ScalarAsync("SELECT status FROM projects WHERE id = @id", ("id", v.ProjectId)));
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
