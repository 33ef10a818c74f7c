using System.Net;
using ErrorOr;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Tenancy;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Tenancy;

/// <summary>One transaction per unit of work, on a direct connection.</summary>
public sealed class UnitOfWorkTests(WrkApp app) : UnitOfWorkContract(app), IClassFixture<WrkApp>;

/// <summary>The unit of work's tests against any app: direct here, through PgBouncer in <c>Topology/</c>.</summary>
public abstract class UnitOfWorkContract(WrkApp app)
{
    private async Task<(ErrorOr<Guid> Result, long? SeenAfterCommit)> RunAsync(bool fail)
    {
        var tenant = await app.InsertTenantAsync();
        await using var scope = app.Scope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<TenantContext>().Set(tenant);
        var db = sp.GetRequiredService<AppDbContext>();
        long? seen = null;
        var id = Guid.CreateVersion7();
        var result = await UnitOfWork.RunAsync<Guid>(db, async () =>
        {
            var now = DateTimeOffset.UtcNow;
            db.Automations.Add(new Automation { Id = id, TenantId = tenant, Name = "uow", CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
            // Another connection must already see the row when this runs.
            db.AfterCommit(async _ => seen = await app.CountAsync("SELECT count(*) FROM automations WHERE id = @id", ("id", id)));
            return fail ? AppErrors.Conflict("test_failure", "refused") : id;
        }, CancellationToken.None);
        return (result, seen);
    }

    [Fact]
    public async Task After_commit_work_runs_once_the_change_is_visible_to_others()
    {
        var (result, seen) = await RunAsync(fail: false);
        Assert.False(result.IsError);
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task After_commit_work_is_dropped_when_the_unit_of_work_fails()
    {
        var (result, seen) = await RunAsync(fail: true);
        Assert.True(result.IsError);
        Assert.Null(seen);
    }

    [Fact]
    public async Task A_refused_credential_leaves_no_tenant_on_an_anonymous_request()
    {
        // A valid JWT whose membership is gone: authentication fails, the anonymous endpoint still runs.
        var user = await app.SignUpAsync();
        await app.ExecuteAsync("DELETE FROM memberships WHERE user_id = @u", ("u", user.UserId));
        using var client = app.Client(user.AccessToken);

        var res = await client.PostJsonAsync("/v1/auth/password-reset", new { email = user.Email });

        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        Assert.Equal(0, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE type = 'password_reset_email' AND tenant_id IS NOT NULL"));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE type = 'password_reset_email' AND tenant_id IS NULL"));
    }
}
