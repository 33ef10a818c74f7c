using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Kernel.Billing;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Flows.Flow20_FinalizeBillingPeriod;

/// <summary>
/// The billing test of issue 4: March 2026 (UTC) with a volume upgrade signed mid-month (its price applies from April), an override
/// mid-month, a committed-minimum shortfall, runs on the month's first and last second and one just outside on each side; the
/// scheduled finalisation, a second finalisation that changes nothing, April with the upgrade's price and a late run of March
/// billed as an adjustment. Expected totals are computed by hand below.
/// </summary>
public sealed class BillingTests(BillingApp app) : IClassFixture<BillingApp>
{
    private sealed record Scenario(Caller Admin, Guid TenantId, Guid V1, Guid V2, Guid Binding, Guid SignedQuote);

    private async Task<Scenario> ArrangeMarchAsync()
    {
        app.Clock.Set(Utc(2026, 3, 10, 12));
        var admin = await app.WorkspaceAdminAsync("Billing Co");
        var t = admin.TenantId;
        await app.InsertClientAsync(t, null, "Billing Co", committed: 500.00m);
        var v1 = (await app.OpsProjectAsync(t, "live", name: "Lead sync")).VersionId;
        var v2 = (await app.OpsProjectAsync(t, "build_in_progress", name: "Invoice sync")).VersionId;
        var q1 = await app.InsertQuoteAsync(t, v1, signedAt: Utc(2026, 2, 15, 9), setupFee: 1000.00m, unitPrice: 0.2500m);
        await app.InsertQuoteAsync(t, v2, signedAt: Utc(2026, 3, 12, 10), setupFee: 300.00m, unitPrice: 0.5000m);
        var b = await app.InsertBindingAsync(t, v1);

        await app.InsertRunAsync(t, v1, b, Utc(2026, 2, 28, 23, 59, 59));               // February's last second: not March
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 1, 0, 0, 0));                   // March's first second, at 0.2500
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 5, 10));                        // 0.2500
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 5, 11), status: "failed");      // failed runs are billed too: 0.2500
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 6, 9), status: "running");      // no final status: not billed
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 19, 23, 59, 59));               // the override's eve: 0.2500
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 25, 8));                        // after the override: 0.1235
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 25, 9), status: "failed");      // 0.1235
        await app.InsertRunAsync(t, v1, b, Utc(2026, 3, 31, 23, 59, 59));               // March's last second: 0.1235
        await app.InsertRunAsync(t, v1, b, Utc(2026, 4, 1, 0, 0, 0));                   // April's first second: not March
        return new Scenario(admin, t, v1, v2, b, q1);
    }

    [Fact]
    public async Task A_month_with_an_upgrade_an_override_and_a_shortfall_is_billed_as_computed_by_hand_and_frozen_once_final()
    {
        var s = await ArrangeMarchAsync();

        // Mid-March: the client commits to 10,000 runs a month (tier 10 %: 0.2500 × 0.9 = 0.2250) and signs at once.
        var upgrade = await (await app.Client(s.Admin.AccessToken).PostJsonAsync($"/v1/quotes/{s.SignedQuote}/volume-upgrade",
            new { committed_volume = 10_000 })).ExpectAsync(HttpStatusCode.Created);
        var amendment = upgrade.GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal("0.2250", upgrade.GetProperty("data").GetProperty("effective_unit_price").GetString());
        await (await app.Client(s.Admin.AccessToken).PatchJsonAsync($"/v1/quotes/{amendment}/status", new { status = "signed" }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(10_000 * 0.2250m, await app.ScalarAsync<decimal>("SELECT committed_monthly_spend FROM clients WHERE tenant_id = @t", ("t", s.TenantId)));

        // 20 March 00:00:00: an operator admin lowers the unit price for runs completed from then on.
        app.Clock.Set(Utc(2026, 3, 20));
        var staff = await app.OperatorAdminAsync();
        await (await app.Client(staff.AccessToken).PostJsonAsync($"/v1/automation-versions/{s.V1}/pricing-overrides",
            new { unit_price_override = "0.1235", reason = "Goodwill after the outage" })).ExpectAsync(HttpStatusCode.Created);

        // Hand computation for March:
        //   Lead sync: 4 runs at 0.2500 = 1.00; 3 runs at 0.1235 = 0.3705 → 0.37 (rounded once per line, half away from zero)
        //   usage = 1.00 + 0.37 = 1.37
        //   Invoice sync: setup fee of its quote signed 12 March = 300.00
        //   committed minimum in force in March = 500.00 (the upgrade's 2,250.00 applies from April)
        //   shortfall = 500.00 − 1.37 = 498.63
        //   total = 1.37 + 300.00 + 498.63 = 800.00
        app.Clock.Set(Utc(2026, 3, 25, 12));
        var estimate = await SummaryAsync(s, "2026-03");
        Assert.True(estimate.GetProperty("estimate").GetBoolean());
        Assert.Equal("open", estimate.GetProperty("status").GetString());
        AssertMarch(estimate, s);

        // 1 April 02:00 UTC: the schedule finalises the month before.
        app.Clock.Set(Utc(2026, 4, 1, 2));
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>().Invoke();
        }
        var final = await SummaryAsync(s, "2026-03");
        Assert.False(final.GetProperty("estimate").GetBoolean());
        Assert.Equal("finalized", final.GetProperty("status").GetString());
        AssertMarch(final, s);
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'billing_period.finalized'
            """, ("t", s.TenantId)));

        // A second finalisation (the endpoint, then the schedule again) changes nothing, not even updated_at.
        var before = await RowAsync(s.TenantId, "2026-03-01");
        app.Clock.Set(Utc(2026, 4, 1, 3));
        var periodId = final.GetProperty("billing_period_id").GetGuid();
        var again = await (await app.Client((await app.TokenForAsync(staff.UserId, staff.TenantId, "admin")).AccessToken)
            .PostJsonAsync($"/v1/admin/billing-periods/{periodId}/finalize", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("800.00", again.GetProperty("data").GetProperty("total_spend").GetString());
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>().RunAsync(new BillingMonth(2026, 3), CancellationToken.None);
        }
        Assert.Equal(before, await RowAsync(s.TenantId, "2026-03-01"));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'billing_period_finalized'", ("t", s.TenantId)));

        // 2 April: a run of 15 March arrives late; March stays frozen, April bills it as an adjustment.
        app.Clock.Set(Utc(2026, 4, 2, 12));
        await app.InsertRunAsync(s.TenantId, s.V1, s.Binding, Utc(2026, 3, 15, 12), recordedAt: Utc(2026, 4, 2, 11));
        AssertMarch(await SummaryAsync(s, "2026-03"), s);

        // Hand computation for April:
        //   Lead sync: 1 run (1 April 00:00:00) at the upgrade's 0.2250 = 0.225 → 0.23
        //   adjustment for March: 1 run at 0.2500 = 0.25
        //   committed minimum = 10,000 × 0.2250 = 2,250.00; shortfall = 2,250.00 − 0.23 = 2,249.77
        //   total = 0.23 + 0.25 + 2,249.77 = 2,250.25
        var april = await SummaryAsync(s, "2026-04");
        Assert.True(april.GetProperty("estimate").GetBoolean());
        var lead = Version(april, s.V1);
        Assert.Equal(1, lead.GetProperty("runs").GetInt32());
        Assert.Equal(["0.2250 × 1 = 0.23"], Prices(lead));
        var adjustment = Assert.Single(april.GetProperty("adjustments").EnumerateArray());
        Assert.Equal("2026-03", adjustment.GetProperty("adjusts_period").GetString());
        Assert.Equal("0.2500", adjustment.GetProperty("unit_price").GetString());
        Assert.Equal(1, adjustment.GetProperty("runs").GetInt32());
        Assert.Equal("0.25", adjustment.GetProperty("amount").GetString());
        Assert.Equal("2250.00", april.GetProperty("committed_minimum").GetString());
        Assert.Equal("2249.77", april.GetProperty("shortfall").GetString());
        Assert.Equal("2250.25", april.GetProperty("total").GetString());

        // Once April is final, May does not bill the late run again.
        app.Clock.Set(Utc(2026, 5, 1, 2));
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<BillingFinalisationJob>().Invoke();
        }
        Assert.Equal("2250.25", (await SummaryAsync(s, "2026-04")).GetProperty("total").GetString());
        Assert.Empty((await SummaryAsync(s, "2026-05")).GetProperty("adjustments").EnumerateArray());
    }

    [Fact]
    public async Task February_keeps_its_last_second_run_its_setup_fee_and_the_commitment_then_in_force()
    {
        var s = await ArrangeMarchAsync();
        await app.InsertAuditRowForUpgradeAsync(s.TenantId, Utc(2026, 3, 10, 12), before: "500.00", after: "2250.00");
        await app.ExecuteAsync("UPDATE clients SET committed_monthly_spend = 2250.00 WHERE tenant_id = @t", ("t", s.TenantId));

        // February: 1 run (28 Feb 23:59:59) at 0.2500 = 0.25; setup fee of the quote signed 15 Feb = 1,000.00;
        // minimum 500.00 (changed only in March) → shortfall 500.00 − 0.25 = 499.75; total 0.25 + 1,000.00 + 499.75 = 1,500.00.
        var feb = await SummaryAsync(s, "2026-02");
        Assert.Equal(["0.2500 × 1 = 0.25"], Prices(Version(feb, s.V1)));
        Assert.Equal("1000.00", Version(feb, s.V1).GetProperty("setup_fees").GetString());
        Assert.Equal("500.00", feb.GetProperty("committed_minimum").GetString());
        Assert.Equal("499.75", feb.GetProperty("shortfall").GetString());
        Assert.Equal("1500.00", feb.GetProperty("total").GetString());
    }

    private static void AssertMarch(JsonElement summary, Scenario s)
    {
        var lead = Version(summary, s.V1);
        Assert.Equal(7, lead.GetProperty("runs").GetInt32());
        Assert.Equal(["0.2500 × 4 = 1.00", "0.1235 × 3 = 0.37"], Prices(lead));
        Assert.Equal("1.37", lead.GetProperty("usage_spend").GetString());
        Assert.Equal("0.00", lead.GetProperty("setup_fees").GetString());
        var invoice = Version(summary, s.V2);
        Assert.Equal(0, invoice.GetProperty("runs").GetInt32());
        Assert.Equal("300.00", invoice.GetProperty("setup_fees").GetString());
        Assert.Equal("1.37", summary.GetProperty("usage_spend").GetString());
        Assert.Equal("300.00", summary.GetProperty("setup_fees").GetString());
        Assert.Equal("500.00", summary.GetProperty("committed_minimum").GetString());
        Assert.Equal("498.63", summary.GetProperty("shortfall").GetString());
        Assert.Equal("800.00", summary.GetProperty("total").GetString());
        Assert.Empty(summary.GetProperty("adjustments").EnumerateArray());
    }

    private static JsonElement Version(JsonElement summary, Guid versionId) =>
        summary.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("automation_version_id").GetGuid() == versionId);

    private static List<string> Prices(JsonElement version) => version.GetProperty("prices").EnumerateArray()
        .Select(p => $"{p.GetProperty("unit_price").GetString()} × {p.GetProperty("runs").GetInt32()} = {p.GetProperty("amount").GetString()}")
        .ToList();

    private async Task<JsonElement> SummaryAsync(Scenario s, string period)
    {
        var token = await app.FreshTokenAsync(s.Admin);
        var body = await (await app.Client(token).GetAsync($"/v1/tenants/{s.TenantId}/billing-summary?period={period}"))
            .ExpectAsync(HttpStatusCode.OK);
        return body.GetProperty("data");
    }

    private Task<string?> RowAsync(Guid tenantId, string start) => app.ScalarAsync<string>("""
        SELECT concat_ws('|', status, total_spend::text, lines_json::text, finalized_at::text, updated_at::text, created_at::text)
        FROM billing_periods WHERE tenant_id = @t AND period_start = @s::date
        """, ("t", tenantId), ("s", start));
}
