using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Flows.Flow19_PricingOverride;

public sealed class PricingOverrideTests(BillingApp app) : IClassFixture<BillingApp>
{
    private static readonly DateTimeOffset Now = Utc(2026, 3, 20, 9, 30);

    private async Task<(Caller Admin, Caller Staff)> CallersAsync()
    {
        app.Clock.Set(Now);
        return (await app.WorkspaceAdminAsync("Override Co"), await app.OperatorAdminAsync());
    }

    private Task<HttpResponseMessage> OverrideAsync(Caller caller, Guid version, object body) =>
        app.Client(caller.AccessToken).PostJsonAsync($"/v1/automation-versions/{version}/pricing-overrides", body);

    [Fact]
    public async Task On_a_draft_quote_the_quote_changes_and_the_history_keeps_why()
    {
        var (admin, staff) = await CallersAsync();
        var version = (await app.OpsProjectAsync(admin.TenantId, "needs_pricing")).VersionId;
        var quote = await app.InsertQuoteAsync(admin.TenantId, version, status: "draft", setupFee: 1500m, unitPrice: 0.5000m, createdAt: Now.AddDays(-1));

        var data = (await (await OverrideAsync(staff, version, new { setup_fee_override = "1200.00", unit_price_override = "0.4", reason = "Strategic account" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        Assert.Equal("draft_quote", data.GetProperty("applied_to").GetString());
        Assert.Equal(quote, data.GetProperty("quote_id").GetGuid());
        Assert.Equal("1200.00", data.GetProperty("setup_fee_override").GetString());
        Assert.Equal("0.4000", data.GetProperty("unit_price_override").GetString());
        Assert.Equal(1200.00m, await app.ScalarAsync<decimal>("SELECT setup_fee FROM quotes WHERE id = @id", ("id", quote)));
        Assert.Equal(0.4000m, await app.ScalarAsync<decimal>("SELECT effective_unit_price FROM quotes WHERE id = @id", ("id", quote)));
        Assert.Equal(0.5000m, await app.ScalarAsync<decimal>("SELECT unit_price FROM quotes WHERE id = @id", ("id", quote)));

        await (await OverrideAsync(staff, version, new { unit_price_override = "0.3500", reason = "Second thoughts" })).ExpectAsync(HttpStatusCode.Created);
        var list = await (await app.Client(staff.AccessToken).GetAsync($"/v1/automation-versions/{version}/pricing-overrides")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Second thoughts", "Strategic account"], list.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("reason").GetString()));
        Assert.Equal(1200.00m, await app.ScalarAsync<decimal>("SELECT setup_fee FROM quotes WHERE id = @id", ("id", quote)));
        Assert.Equal(2, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'pricing_override_created' AND resource_id = @v AND tenant_id = @t", ("v", version), ("t", admin.TenantId)));
    }

    [Fact]
    public async Task On_a_live_version_the_unit_price_changes_from_now_and_the_client_is_told()
    {
        var (admin, staff) = await CallersAsync();
        var version = (await app.OpsProjectAsync(admin.TenantId, "live")).VersionId;
        var quote = await app.InsertQuoteAsync(admin.TenantId, version, signedAt: Utc(2026, 3, 1), unitPrice: 0.2500m);
        var data = (await (await OverrideAsync(staff, version, new { unit_price_override = "0.2000", reason = "Outage credit" }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        Assert.Equal("billing", data.GetProperty("applied_to").GetString());
        Assert.Equal(Now, data.GetProperty("effective_from").GetDateTimeOffset());
        // The signed quote is immutable; billing reads the override from effective_from on.
        Assert.Equal(0.2500m, await app.ScalarAsync<decimal>("SELECT effective_unit_price FROM quotes WHERE id = @id", ("id", quote)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'pricing.override_applied'", ("t", admin.TenantId)));

        var binding = await app.InsertBindingAsync(admin.TenantId, version);
        await app.InsertRunAsync(admin.TenantId, version, binding, Now.AddSeconds(-1));
        await app.InsertRunAsync(admin.TenantId, version, binding, Now);
        var summary = (await (await app.Client(await app.FreshTokenAsync(admin)).GetAsync($"/v1/tenants/{admin.TenantId}/billing-summary"))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(["0.2500", "0.2000"], summary.GetProperty("versions")[0].GetProperty("prices").EnumerateArray()
            .Select(p => p.GetProperty("unit_price").GetString()));

        var setup = await OverrideAsync(staff, version, new { setup_fee_override = "100.00", reason = "Too late" });
        Assert.Equal("setup_fee_not_overridable", (await setup.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_sent_quote_must_be_redrafted_first_and_other_states_are_refused()
    {
        var (admin, staff) = await CallersAsync();
        var sentVersion = (await app.OpsProjectAsync(admin.TenantId, "awaiting_client_approval")).VersionId;
        var sent = await app.InsertQuoteAsync(admin.TenantId, sentVersion, status: "sent", expiresAt: Now.AddDays(10), createdAt: Now.AddDays(-1));
        var res = await OverrideAsync(staff, sentVersion, new { unit_price_override = "0.1000", reason = "Discount" });
        Assert.Equal("quote_sent", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal(0.2500m, await app.ScalarAsync<decimal>("SELECT effective_unit_price FROM quotes WHERE id = @id", ("id", sent)));

        var building = (await app.OpsProjectAsync(admin.TenantId, "build_in_progress")).VersionId;
        await app.InsertQuoteAsync(admin.TenantId, building, signedAt: Now.AddDays(-2));
        res = await OverrideAsync(staff, building, new { unit_price_override = "0.1000", reason = "Discount" });
        Assert.Equal("not_overridable", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());

        var intake = (await app.OpsProjectAsync(admin.TenantId)).VersionId;
        res = await OverrideAsync(staff, intake, new { unit_price_override = "0.1000", reason = "Discount" });
        Assert.Equal("not_overridable", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM pricing_overrides WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Only_an_operator_admin_overrides_and_only_staff_read_the_history()
    {
        var (admin, _) = await CallersAsync();
        var version = (await app.OpsProjectAsync(admin.TenantId, "live")).VersionId;
        await app.InsertQuoteAsync(admin.TenantId, version, signedAt: Utc(2026, 3, 1));
        foreach (var caller in new[] { admin, await app.StaffAsync("ops_admin"), await app.StaffAsync("cs_admin") })
        {
            await (await OverrideAsync(caller, version, new { unit_price_override = "0.0100", reason = "Mine" })).ExpectAsync(HttpStatusCode.Forbidden);
        }
        await (await app.Client(admin.AccessToken).GetAsync($"/v1/automation-versions/{version}/pricing-overrides")).ExpectAsync(HttpStatusCode.Forbidden);
        var cs = await app.StaffAsync("cs_admin");
        await (await app.Client(cs.AccessToken).GetAsync($"/v1/automation-versions/{version}/pricing-overrides")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM pricing_overrides WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task An_unknown_version_is_not_found()
    {
        var (_, staff) = await CallersAsync();
        await (await OverrideAsync(staff, Guid.CreateVersion7(), new { unit_price_override = "0.1000", reason = "x" })).ExpectAsync(HttpStatusCode.NotFound);
        await (await app.Client(staff.AccessToken).GetAsync($"/v1/automation-versions/{Guid.CreateVersion7()}/pricing-overrides"))
            .ExpectAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"unit_price_override":"0.1000"}""", "$.reason" },
        { """{"unit_price_override":"0.1000","reason":"   "}""", "$.reason" },
        { """{"reason":"No override given"}""", "$.unit_price_override" },
        { """{"unit_price_override":"0.12345","reason":"Too precise"}""", "$.unit_price_override" },
        { """{"unit_price_override":"-1","reason":"Negative"}""", "$.unit_price_override" },
        { """{"unit_price_override":"1e2","reason":"Exponent"}""", "$.unit_price_override" },
        { """{"setup_fee_override":"10.001","reason":"Three decimals"}""", "$.setup_fee_override" },
        { """{"setup_fee_override":100,"reason":"A number"}""", "$.setup_fee_override" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_refused_by_path(string json, string path)
    {
        var (admin, staff) = await CallersAsync();
        var version = (await app.OpsProjectAsync(admin.TenantId, "live")).VersionId;
        var res = await app.Client(staff.AccessToken).PostAsync($"/v1/automation-versions/{version}/pricing-overrides",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }
}
