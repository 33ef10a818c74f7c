using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow14_AdjustQuote;

public sealed class SendQuoteTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Ops_send_a_draft_which_moves_the_version_to_client_approval_and_tells_the_client_admins()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        var quote = (await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" }))
            .ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("sent", quote.GetProperty("status").GetString());
        var sentAt = quote.GetProperty("sent_at").GetDateTimeOffset();
        Assert.Equal(sentAt.AddDays(30), quote.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal("awaiting_client_approval", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        Assert.Equal("sent", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", priced.ProjectId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'quote.sent' AND payload->'audience'->>'kind' = 'tenant_admins' AND payload->'data'->>'quote_id' = @q",
            ("t", admin.TenantId), ("q", priced.QuoteId.ToString())));
        // The client admin reads the sent quote.
        Assert.Equal("sent", (await app.GetQuoteAsync(admin.AccessToken, priced.QuoteId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_blueprint_changed_after_pricing_is_not_sent_until_ops_price_it_again()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);
        // The client swaps in a much bigger blueprint while the version waits for pricing (allowed in needs_pricing).
        await app.SaveBlueprintAsync(admin.AccessToken, priced.VersionId, BlueprintDocs.Chain(300));

        var refused = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" }))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("transition_guard_failed", refused.GetProperty("code").GetString());
        Assert.Contains("blueprint changed", refused.GetProperty("detail").GetString());
        Assert.Equal("draft", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));

        // Ops re-price the blueprint as it is now; the quote can then be sent, and its signature will hash that blueprint.
        await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { setup_fee = "15500.00", unit_price = "1.0000" }))
            .ExpectAsync(HttpStatusCode.OK);
        await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" })).ExpectAsync(HttpStatusCode.OK);
        await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);
        Assert.True(await app.ScalarAsync<bool>(
            "SELECT q.blueprint_sha256 IS NOT NULL AND q.setup_fee = 15500.00 FROM quotes q WHERE q.id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task A_client_may_not_send_its_own_quote()
    {
        var admin = await app.SignUpAsync();
        var priced = await app.SubmittedVersionAsync(admin);

        var body = await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" }))
            .ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal("draft", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
        Assert.Equal("needs_pricing", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
    }

    [Fact]
    public async Task Sending_twice_is_refused()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var body = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_quote_transition", body.GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'quote.sent'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task The_generic_status_endpoint_sends_the_draft_too()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        await (await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/automation-versions/{priced.VersionId}/status",
            new { status = "awaiting_client_approval" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
        Assert.NotEqual("", await app.ScalarAsync("SELECT expires_at FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task An_unpriced_draft_cannot_be_sent()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);
        await app.ExecuteAsync("UPDATE quotes SET unit_price = 0 WHERE id = @id", ("id", priced.QuoteId));

        var body = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("transition_guard_failed", body.GetProperty("code").GetString());
        Assert.Equal("draft", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }

    [Fact]
    public async Task An_unknown_status_is_refused_naming_the_field()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        var body = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "approved" }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.status", out _), body.ToString());
    }

    [Fact]
    public async Task Another_tenants_quote_is_404_for_a_client()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(owner, ops);

        var res = await app.Client(other.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "signed" });
        var text = await res.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain("700.00", text, StringComparison.Ordinal);
        Assert.Equal("sent", await app.ScalarAsync("SELECT status FROM quotes WHERE id = @id", ("id", priced.QuoteId)));
    }
}
