using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow16_RejectQuote;

public sealed class RejectQuoteTests(WrkApp app) : IClassFixture<WrkApp>
{
    private Task<HttpResponseMessage> RejectAsync(string bearer, Guid quoteId, string? reason) =>
        app.Client(bearer).PatchJsonAsync(QuoteStatusUrl(quoteId), new { status = "rejected", reason });

    [Fact]
    public async Task The_client_admin_rejects_with_a_reason_and_ops_get_a_new_draft_to_price()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var quote = (await (await RejectAsync(admin.AccessToken, priced.QuoteId, "  The setup fee is over budget. ")).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("data");

        Assert.Equal("rejected", quote.GetProperty("status").GetString());
        Assert.Equal("The setup fee is over budget.", quote.GetProperty("rejection_reason").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, quote.GetProperty("rejected_at").ValueKind);
        Assert.Equal("needs_pricing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        // A new draft, re-priced from the rate card; the project's pricing status mirrors it.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM quotes WHERE automation_version_id = @v AND status = 'draft' AND setup_fee = 700.00 AND id <> @q",
            ("v", priced.VersionId), ("q", priced.QuoteId)));
        Assert.Equal("draft", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", priced.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM tasks WHERE context_id = @p AND kind = 'pricing' AND visibility = 'staff' AND priority = 'high' AND description LIKE '%over budget%'",
            ("p", priced.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND metadata_json->>'transition' = 'T4' AND metadata_json->>'reason' = 'The setup fee is over budget.'",
            ("v", priced.VersionId)));
        // The rejection itself, on the quote: actor, tenant, resource and what was refused.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'quote_rejected' AND resource_type = 'quote' AND resource_id = @q AND tenant_id = @t " +
            "AND user_id = @u AND metadata_json->>'reason' = 'The setup fee is over budget.' AND metadata_json->>'setup_fee' = '700.00'",
            ("q", priced.QuoteId), ("t", admin.TenantId), ("u", admin.UserId)));
    }

    [Fact]
    public async Task The_new_draft_can_be_adjusted_sent_and_signed()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await (await RejectAsync(admin.AccessToken, priced.QuoteId, "Too dear")).ExpectAsync(HttpStatusCode.OK);
        var draftId = Guid.Parse(await app.ScalarAsync(
            "SELECT id FROM quotes WHERE automation_version_id = @v AND status = 'draft'", ("v", priced.VersionId)));
        using var staff = app.Client(ops.AccessToken);

        await (await staff.PatchJsonAsync(QuoteUrl(draftId), new { setup_fee = "500.00" })).ExpectAsync(HttpStatusCode.OK);
        await (await staff.PatchJsonAsync(QuoteStatusUrl(draftId), new { status = "sent" })).ExpectAsync(HttpStatusCode.OK);
        var signed = (await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(draftId), new { status = "signed" }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("500.00", signed.GetProperty("setup_fee").GetString());
        Assert.Equal("rejected", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public async Task A_reason_is_required(string? reason)
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var body = await (await RejectAsync(admin.AccessToken, priced.QuoteId, reason)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.reason", out _), body.ToString());
        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task Members_and_staff_may_not_reject()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        await (await RejectAsync(member.AccessToken, priced.QuoteId, "No")).ExpectAsync(HttpStatusCode.Forbidden);
        await (await RejectAsync(ops.AccessToken, priced.QuoteId, "No")).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task A_rejected_quote_is_immutable()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await (await RejectAsync(admin.AccessToken, priced.QuoteId, "Too dear")).ExpectAsync(HttpStatusCode.OK);

        var again = await (await RejectAsync(admin.AccessToken, priced.QuoteId, "Still too dear")).ExpectAsync(HttpStatusCode.Conflict);
        var sign = await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" }))
            .ExpectAsync(HttpStatusCode.Conflict);
        var adjust = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { notes = "x" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_quote_transition", again.GetProperty("code").GetString());
        Assert.Equal("invalid_quote_transition", sign.GetProperty("code").GetString());
        Assert.Equal("quote_not_draft", adjust.GetProperty("code").GetString());
        Assert.Equal("Too dear", await app.ScalarAsync("SELECT rejection_reason FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task An_expired_quote_may_be_rejected_to_ask_for_a_new_one()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await app.ExpireQuoteAsync(priced.QuoteId);

        await (await RejectAsync(admin.AccessToken, priced.QuoteId, "Expired; please re-quote")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("needs_pricing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
    }

    [Fact]
    public async Task Another_tenants_admin_gets_404()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(owner, ops);

        var res = await RejectAsync(other.AccessToken, priced.QuoteId, "No");

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }
}
