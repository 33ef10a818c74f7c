using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Flows.Flow18_BillingSummary;

public sealed class BillingSummaryTests(BillingApp app) : IClassFixture<BillingApp>
{
    private async Task<(Caller Admin, Guid Version, Guid ClientId)> WorkspaceWithRunsAsync()
    {
        app.Clock.Set(Utc(2026, 3, 10, 12));
        var admin = await app.WorkspaceAdminAsync("Summary Co");
        var clientId = await app.InsertClientAsync(admin.TenantId, null, committed: 0m);
        var version = (await app.OpsProjectAsync(admin.TenantId, "live")).VersionId;
        await app.InsertQuoteAsync(admin.TenantId, version, signedAt: Utc(2026, 3, 2), setupFee: 750.00m, unitPrice: 0.1000m);
        var binding = await app.InsertBindingAsync(admin.TenantId, version);
        for (var i = 0; i < 3; i++)
        {
            await app.InsertRunAsync(admin.TenantId, version, binding, Utc(2026, 3, 5, 10, i));
        }
        return (admin, version, clientId);
    }

    [Fact]
    public async Task The_current_month_is_an_estimate_per_version_and_the_default_period()
    {
        var (admin, version, _) = await WorkspaceWithRunsAsync();
        var data = (await (await app.Client(admin.AccessToken).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("2026-03", data.GetProperty("period").GetString());
        Assert.Equal("2026-03-01", data.GetProperty("period_start").GetString());
        Assert.Equal("2026-03-31", data.GetProperty("period_end").GetString());
        Assert.True(data.GetProperty("estimate").GetBoolean());
        Assert.Equal("USD", data.GetProperty("currency").GetString());
        var v = Assert.Single(data.GetProperty("versions").EnumerateArray());
        Assert.Equal(version, v.GetProperty("automation_version_id").GetGuid());
        Assert.Equal(3, v.GetProperty("runs").GetInt32());
        Assert.Equal("0.30", v.GetProperty("usage_spend").GetString());           // 3 × 0.1000
        Assert.Equal("750.00", v.GetProperty("setup_fees").GetString());
        Assert.Equal("0.00", data.GetProperty("committed_minimum").GetString());  // a client row committing 0
        Assert.Equal("750.30", data.GetProperty("total").GetString());            // 0.30 + 750.00
    }

    [Fact]
    public async Task A_finalised_period_is_answered_frozen_even_when_runs_arrive_later()
    {
        var (admin, version, _) = await WorkspaceWithRunsAsync();
        app.Clock.Set(Utc(2026, 4, 1, 2));
        var staff = await app.OperatorAdminAsync();
        var period = (await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/admin/billing-periods",
            new { tenant_id = admin.TenantId, period = "2026-03" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        await (await app.Client(staff.AccessToken).PostJsonAsync($"/v1/admin/billing-periods/{period.GetProperty("id").GetGuid()}/finalize", new { }))
            .ExpectAsync(HttpStatusCode.OK);
        var binding = await app.ScalarAsync<Guid>("SELECT id FROM workflow_bindings WHERE automation_version_id = @v", ("v", version));
        await app.InsertRunAsync(admin.TenantId, version, binding, Utc(2026, 3, 20), recordedAt: Utc(2026, 4, 1, 3));

        var token = await app.FreshTokenAsync(admin);
        var data = (await (await app.Client(token).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary?period=2026-03"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.False(data.GetProperty("estimate").GetBoolean());
        Assert.Equal("finalized", data.GetProperty("status").GetString());
        Assert.Equal(3, data.GetProperty("versions")[0].GetProperty("runs").GetInt32());
        Assert.Equal("750.30", data.GetProperty("total").GetString());
    }

    [Fact]
    public async Task Staff_read_a_clients_summary_through_the_client_record()
    {
        var (admin, _, clientId) = await WorkspaceWithRunsAsync();
        foreach (var role in new[] { "ops_admin", "cs_admin" })
        {
            var staff = await app.StaffAsync(role);
            var data = (await (await app.Client(staff.AccessToken).GetAsync($"/v1/admin/clients/{clientId}/billing-summary?period=2026-03"))
                .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
            Assert.Equal(admin.TenantId, data.GetProperty("tenant_id").GetGuid());
            Assert.Equal("750.30", data.GetProperty("total").GetString());
        }
        var ops = await app.StaffAsync("ops_admin");
        await (await app.Client(ops.AccessToken).GetAsync($"/v1/admin/clients/{Guid.CreateVersion7()}/billing-summary"))
            .ExpectAsync(HttpStatusCode.NotFound);
        // A client may not use the staff path, even for its own client record.
        await (await app.Client(admin.AccessToken).GetAsync($"/v1/admin/clients/{clientId}/billing-summary"))
            .ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Another_workspaces_summary_is_not_found_and_nothing_of_it_leaks()
    {
        var (admin, version, _) = await WorkspaceWithRunsAsync();
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var body = await (await app.Client(stranger.AccessToken).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary"))
            .ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(version.ToString(), body.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("750", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_and_viewers_may_not_read_billing()
    {
        var (admin, _, _) = await WorkspaceWithRunsAsync();
        foreach (var role in new[] { "member", "viewer" })
        {
            var caller = await app.AddMemberAsync(admin.TenantId, [role]);
            await (await app.Client(caller.AccessToken).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary"))
                .ExpectAsync(HttpStatusCode.Forbidden);
        }
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-3")]
    [InlineData("march")]
    [InlineData("1999-12")]
    public async Task A_bad_period_is_refused_by_path(string period)
    {
        var (admin, _, clientId) = await WorkspaceWithRunsAsync();
        var body = await (await app.Client(admin.AccessToken).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary?period={period}"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.period", out _), body.ToString());
        var ops = await app.StaffAsync("ops_admin");
        body = await (await app.Client(ops.AccessToken).GetAsync($"/v1/admin/clients/{clientId}/billing-summary?period={period}"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.period", out _), body.ToString());
    }
}
