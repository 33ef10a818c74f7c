using System.Net;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow14_AdjustQuote;

public sealed class QuoteReadsTests(WrkApp app) : IClassFixture<WrkApp>
{
    private static string ListUrl(Guid versionId) => $"/v1/automation-versions/{versionId}/quotes";

    [Fact]
    public async Task A_viewer_and_staff_read_a_quote_with_money_as_strings()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var cs = await app.StaffAsync("cs_admin");
        var priced = await app.SubmittedVersionAsync(admin);

        foreach (var bearer in new[] { viewer.AccessToken, cs.AccessToken })
        {
            var quote = await app.GetQuoteAsync(bearer, priced.QuoteId);
            Assert.Equal(priced.QuoteId, quote.GetProperty("id").GetGuid());
            Assert.Equal("700.00", quote.GetProperty("setup_fee").GetString());
            Assert.Equal("0.2500", quote.GetProperty("effective_unit_price").GetString());
        }
    }

    [Fact]
    public async Task Another_tenants_quote_and_version_quotes_are_404()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var priced = await app.SubmittedVersionAsync(owner);
        using var client = app.Client(other.AccessToken);

        var one = await client.GetAsync(QuoteUrl(priced.QuoteId));
        var list = await client.GetAsync(ListUrl(priced.VersionId));

        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        Assert.DoesNotContain("700.00", await one.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_lists_its_quotes_newest_first_page_by_page()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await (await app.Client(admin.AccessToken).PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "rejected", reason = "Too dear" }))
            .ExpectAsync(HttpStatusCode.OK);
        using var client = app.Client(admin.AccessToken);

        var first = await (await client.GetAsync($"{ListUrl(priced.VersionId)}?limit=1")).ExpectAsync(HttpStatusCode.OK);
        var cursor = first.GetProperty("meta").GetProperty("next_cursor").GetString();
        var second = await (await client.GetAsync($"{ListUrl(priced.VersionId)}?limit=1&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("draft", first.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal("rejected", second.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal(priced.QuoteId, second.GetProperty("data")[0].GetProperty("id").GetGuid());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("meta").GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task A_sent_quote_past_its_expiry_reads_as_expired()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await app.ExpireQuoteAsync(priced.QuoteId);

        Assert.Equal("expired", (await app.GetQuoteAsync(admin.AccessToken, priced.QuoteId)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("limit=0", "$.limit")]
    [InlineData("cursor=bogus", "$.cursor")]
    public async Task A_bad_page_query_is_refused_naming_the_field(string query, string path)
    {
        var admin = await app.SignUpAsync();
        var priced = await app.SubmittedVersionAsync(admin);

        var body = await (await app.Client(admin.AccessToken).GetAsync($"{ListUrl(priced.VersionId)}?{query}")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
    }

    [Fact]
    public async Task Api_keys_may_not_read_quotes()
    {
        var admin = await app.SignUpAsync();
        var priced = await app.SubmittedVersionAsync(admin);
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);

        Assert.Equal(HttpStatusCode.Forbidden, (await app.Client(key).GetAsync(QuoteUrl(priced.QuoteId))).StatusCode);
    }
}
