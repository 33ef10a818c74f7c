using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Flows.Flow20_FinalizeBillingPeriod;

public sealed class BillingPeriodAdminTests(BillingApp app) : IClassFixture<BillingApp>
{
    [Fact]
    public async Task An_operator_admin_upserts_a_draft_then_finalises_it_once_the_month_is_over()
    {
        app.Clock.Set(Utc(2026, 3, 15));
        var admin = await app.WorkspaceAdminAsync("Periods Co");
        await app.InsertClientAsync(admin.TenantId, null, committed: 100.00m);
        var staff = await app.OperatorAdminAsync();

        var draft = (await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/admin/billing-periods",
            new { tenant_id = admin.TenantId, period = "2026-03" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal("100.00", draft.GetProperty("total_spend").GetString()); // no usage: the whole minimum is shortfall
        var id = draft.GetProperty("id").GetGuid();

        // Before the month ends it cannot be final.
        var early = await app.Client(staff.AccessToken).PostJsonAsync($"/v1/admin/billing-periods/{id}/finalize", new { });
        Assert.Equal("period_not_ended", (await early.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());

        // An upsert refreshes the same draft row.
        var again = (await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/admin/billing-periods",
            new { tenant_id = admin.TenantId, period = "2026-03" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(id, again.GetProperty("id").GetGuid());

        app.Clock.Set(Utc(2026, 4, 1));
        var token = (await app.TokenForAsync(staff.UserId, staff.TenantId, "admin")).AccessToken;
        var final = (await (await app.Client(token).PostJsonAsync($"/v1/admin/billing-periods/{id}/finalize", new { }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("finalized", final.GetProperty("status").GetString());
        Assert.Equal(Utc(2026, 4, 1), final.GetProperty("finalized_at").GetDateTimeOffset());
        var line = Assert.Single(final.GetProperty("lines").EnumerateArray());
        Assert.Equal("minimum_shortfall", line.GetProperty("type").GetString());
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'billing_period_finalized' AND resource_id = @id",
            ("t", admin.TenantId), ("id", id)));

        // A finalised period is returned unchanged by an upsert too.
        app.Clock.Set(Utc(2026, 4, 2));
        token = (await app.TokenForAsync(staff.UserId, staff.TenantId, "admin")).AccessToken;
        var frozen = (await (await app.Client(token).PostJsonAsync("/v1/admin/billing-periods",
            new { tenant_id = admin.TenantId, period = "2026-03" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(final.GetProperty("updated_at").GetDateTimeOffset(), frozen.GetProperty("updated_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Only_an_operator_admin_may_create_or_finalise_periods()
    {
        app.Clock.Set(Utc(2026, 5, 10));
        var admin = await app.WorkspaceAdminAsync("Roles Co");
        var staff = await app.OperatorAdminAsync();
        var id = (await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/admin/billing-periods",
            new { tenant_id = admin.TenantId, period = "2026-04" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data").GetProperty("id").GetGuid();
        foreach (var caller in new[] { admin, await app.StaffAsync("ops_admin"), await app.StaffAsync("cs_admin") })
        {
            await (await app.Client(caller.AccessToken).PostJsonAsync("/v1/admin/billing-periods", new { tenant_id = admin.TenantId, period = "2026-04" }))
                .ExpectAsync(HttpStatusCode.Forbidden);
            await (await app.Client(caller.AccessToken).PostJsonAsync($"/v1/admin/billing-periods/{id}/finalize", new { }))
                .ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal("draft", await app.ScalarAsync<string>("SELECT status FROM billing_periods WHERE id = @id", ("id", id)));
        await (await app.Client(staff.AccessToken).PostJsonAsync($"/v1/admin/billing-periods/{Guid.CreateVersion7()}/finalize", new { }))
            .ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_schedule_skips_its_tick_while_another_instance_holds_the_lock()
    {
        app.Clock.Set(Utc(2026, 6, 1, 2));
        var admin = await app.WorkspaceAdminAsync("Lock Co");
        await using var other = new NpgsqlConnection(app.OwnerConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", other, tx))
        {
            cmd.Parameters.AddWithValue("k", BillingFinalisationJob.LockKey);
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var scope = app.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>();
            Assert.False((await job.RunAsync(new(2026, 5), CancellationToken.None)).Ran);
        }
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM billing_periods WHERE tenant_id = @t", ("t", admin.TenantId)));
        await tx.RollbackAsync();
        await using (var scope = app.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>();
            await job.Invoke(); // 1 June: finalises May
        }
        Assert.Equal("finalized", await app.ScalarAsync<string>(
            "SELECT status FROM billing_periods WHERE tenant_id = @t AND period_start = '2026-05-01'", ("t", admin.TenantId)));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"period":"2026-03"}""", "$.tenant_id" },
        { """{"tenant_id":"00000000-0000-0000-0000-000000000001","period":"2026-03"}""", "$.tenant_id" },
        { """{"tenant_id":"TENANT"}""", "$.period" },
        { """{"tenant_id":"TENANT","period":"2026-13"}""", "$.period" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_refused_by_path(string json, string path)
    {
        app.Clock.Set(Utc(2026, 5, 10));
        var admin = await app.WorkspaceAdminAsync("Input Co");
        var staff = await app.OperatorAdminAsync();
        var res = await app.Client(staff.AccessToken).PostAsync("/v1/admin/billing-periods",
            new StringContent(json.Replace("TENANT", admin.TenantId.ToString(), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json"));
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
        // The operator workspace is not billed either.
        res = await app.Client(staff.AccessToken).PostJsonAsync("/v1/admin/billing-periods", new { tenant_id = staff.TenantId, period = "2026-03" });
        Assert.True((await res.ExpectAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("$.tenant_id", out _));
    }
}
