using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow14_AdjustQuote;

public sealed class AdjustQuoteTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Ops_adjust_a_draft_and_the_volume_tier_discounts_the_effective_unit_price()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        var body = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId),
            new { setup_fee = "1200.5", unit_price = "0.3333", estimated_volume = 12000, notes = "Two systems, one approval." }))
            .ExpectAsync(HttpStatusCode.OK);
        var quote = body.GetProperty("data");

        Assert.Equal("draft", quote.GetProperty("status").GetString());
        Assert.Equal("1200.50", quote.GetProperty("setup_fee").GetString());
        Assert.Equal("0.3333", quote.GetProperty("unit_price").GetString());
        Assert.Equal(12000, quote.GetProperty("estimated_volume").GetInt32());
        // 10,000+ a month: 10% off; 0.3333 × 0.9 = 0.29997 → 0.3000 (half away from zero, 4 decimals).
        Assert.Equal("0.3000", quote.GetProperty("effective_unit_price").GetString());
        Assert.Equal("Two systems, one approval.", quote.GetProperty("notes").GetString());
        Assert.Equal("0.3000", await app.ScalarAsync("SELECT effective_unit_price FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
        // Audited in the client's tenant, with the staff user as actor.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'quote_adjusted' AND resource_id = @q AND metadata_json->'after'->>'setup_fee' = '1200.50'",
            ("t", admin.TenantId), ("u", ops.UserId), ("q", priced.QuoteId)));
    }

    [Fact]
    public async Task An_operator_admin_may_adjust_and_only_the_fields_sent_change()
    {
        var admin = await app.SignUpAsync();
        var operatorAdmin = await app.OperatorAdminAsync();
        var priced = await app.SubmittedVersionAsync(admin);

        var quote = (await (await app.Client(operatorAdmin.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { estimated_volume = 60000 }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("700.00", quote.GetProperty("setup_fee").GetString());
        Assert.Equal("0.2500", quote.GetProperty("unit_price").GetString());
        Assert.Equal("0.2000", quote.GetProperty("effective_unit_price").GetString()); // 50,000+: 20% off
    }

    [Fact]
    public async Task A_pricing_override_on_the_quote_wins_over_the_adjustment()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);
        await app.ExecuteAsync("""
            INSERT INTO pricing_overrides (id, tenant_id, automation_version_id, quote_id, setup_fee_override, unit_price_override, reason, created_by_id, effective_from, created_at)
            VALUES (@id, @t, @v, @q, 250.00, 0.1500, 'Strategic account', @u, now(), now())
            """, ("id", Guid.CreateVersion7()), ("t", admin.TenantId), ("v", priced.VersionId), ("q", priced.QuoteId), ("u", ops.UserId));

        var quote = (await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId),
            new { setup_fee = "900.00", unit_price = "0.4000" })).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("250.00", quote.GetProperty("setup_fee").GetString());
        Assert.Equal("0.4000", quote.GetProperty("unit_price").GetString());
        Assert.Equal("0.1500", quote.GetProperty("effective_unit_price").GetString());
    }

    [Fact]
    public async Task A_client_may_not_price_its_own_quote_nor_may_cs_admin()
    {
        var admin = await app.SignUpAsync();
        var cs = await app.StaffAsync("cs_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        foreach (var bearer in new[] { admin.AccessToken, cs.AccessToken })
        {
            var body = await (await app.Client(bearer).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { setup_fee = "1.00" }))
                .ExpectAsync(HttpStatusCode.Forbidden);
            Assert.Equal("forbidden", body.GetProperty("code").GetString());
        }
        Assert.Equal("700.00", await app.ScalarAsync("SELECT setup_fee FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task A_sent_quote_is_immutable()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var body = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { setup_fee = "1.00" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("quote_not_draft", body.GetProperty("code").GetString());
        Assert.Equal("sent", body.GetProperty("current_status").GetString());
        Assert.Equal("700.00", await app.ScalarAsync("SELECT setup_fee FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"setup_fee":"12.345"}""", "$.setup_fee" },
        { """{"setup_fee":"1e3"}""", "$.setup_fee" },
        { """{"setup_fee":"-5.00"}""", "$.setup_fee" },
        { """{"setup_fee":1500}""", "$.setup_fee" },
        { """{"unit_price":"0.12345"}""", "$.unit_price" },
        { """{"unit_price":"0"}""", "$.unit_price" },
        { """{"unit_price":"1,5"}""", "$.unit_price" },
        { """{"estimated_volume":0}""", "$.estimated_volume" },
        { """{}""", "$" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_refused_naming_the_field(string json, string path)
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);
        using var client = app.Client(ops.AccessToken);

        var res = await client.PatchAsync(QuoteUrl(priced.QuoteId), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
        Assert.Equal("700.00", await app.ScalarAsync("SELECT setup_fee FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task An_unknown_quote_is_404()
    {
        var ops = await app.StaffAsync("ops_admin");

        var res = await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(Guid.CreateVersion7()), new { setup_fee = "1.00" });

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
    }
}
