using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Quotes;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeQuotes;

namespace WrkCopilot.Tests.Flows.Flow15_SignQuote;

/// <summary>Every request arrives from <see cref="ClientIp"/> (TestServer has no remote IP of its own), so the signature records one.</summary>
public sealed class ClientIpApp : WrkApp
{
    public const string ClientIp = "203.0.113.7";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, FromClient>());
    }

    private sealed class FromClient : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((ctx, nextMiddleware) =>
            {
                ctx.Connection.RemoteIpAddress = IPAddress.Parse(ClientIp);
                return nextMiddleware(ctx);
            });
            next(app);
        };
    }
}

public sealed class SignQuoteTests(ClientIpApp app) : IClassFixture<ClientIpApp>
{
    private async Task<HttpResponseMessage> SignAsync(string bearer, Guid quoteId, string? userAgent = null)
    {
        using var client = app.Client(bearer);
        if (userAgent is not null)
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }
        return await client.PatchJsonAsync(QuoteStatusUrl(quoteId), new { status = "signed" });
    }

    private Task<string> QuoteColumnAsync(string column, Guid quoteId) =>
        app.ScalarAsync($"SELECT {column} FROM quotes WHERE id = @id", ("id", quoteId));

    [Fact]
    public async Task The_client_admin_signs_and_the_row_alone_proves_what_was_signed()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var quote = (await (await SignAsync(admin.AccessToken, priced.QuoteId, "QuoteTests/1.0")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

        Assert.Equal("signed", quote.GetProperty("status").GetString());
        Assert.Equal(admin.UserId, quote.GetProperty("signed_by_id").GetGuid());
        Assert.NotEqual(JsonValueKind.Null, quote.GetProperty("signed_at").ValueKind);
        Assert.Equal("QuoteTests/1.0", await QuoteColumnAsync("signed_user_agent", priced.QuoteId));
        Assert.Equal(ClientIpApp.ClientIp, await QuoteColumnAsync("signed_ip", priced.QuoteId));

        // The terms hash is recomputable from the quote's own fields.
        var terms = new Quote
        {
            Id = quote.GetProperty("id").GetGuid(),
            AutomationVersionId = quote.GetProperty("automation_version_id").GetGuid(),
            Kind = quote.GetProperty("kind").GetString()!,
            Currency = quote.GetProperty("currency").GetString()!,
            SetupFee = decimal.Parse(quote.GetProperty("setup_fee").GetString()!, CultureInfo.InvariantCulture),
            UnitPrice = decimal.Parse(quote.GetProperty("unit_price").GetString()!, CultureInfo.InvariantCulture),
            EffectiveUnitPrice = decimal.Parse(quote.GetProperty("effective_unit_price").GetString()!, CultureInfo.InvariantCulture),
            EstimatedVolume = quote.GetProperty("estimated_volume").GetInt32(),
            ExpiresAt = quote.GetProperty("expires_at").GetDateTimeOffset(),
        };
        Assert.Contains("\"setup_fee\":\"700.00\"", QuoteSignature.TermsText(terms), StringComparison.Ordinal);
        Assert.Equal(QuoteSignature.TermsSha256(terms), quote.GetProperty("terms_sha256").GetString());
        // The blueprint hash does not depend on how jsonb stored the document.
        using var blueprint = JsonDocument.Parse(BlueprintDocs.Example);
        Assert.Equal(QuoteSignature.BlueprintSha256(blueprint.RootElement), quote.GetProperty("blueprint_sha256").GetString());
        Assert.Matches("^[0-9a-f]{64}$", quote.GetProperty("blueprint_sha256").GetString());

        Assert.Equal("build_in_progress", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        Assert.Equal("signed", await app.ScalarAsync("SELECT pricing_status FROM projects WHERE id = @id", ("id", priced.ProjectId)));
        // The build is requested through the outbox, in the same transaction.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND type = 'build_requested' AND tenant_id = @t AND payload->>'automation_version_id' = @v AND payload->>'quote_id' = @q AND payload->>'reason' = 'quote_signed'",
            ("t", admin.TenantId), ("v", priced.VersionId.ToString()), ("q", priced.QuoteId.ToString())));
    }

    [Theory]
    [InlineData("""{"status":"sign"}""", "$.status")]
    [InlineData("""{"status":"signed","reason":7}""", "$.reason")]
    [InlineData("""{"status":"signed","signer":"me"}""", "$.signer")]
    public async Task Bad_input_is_400_naming_the_field_and_nothing_is_signed(string json, string path)
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        var res = await app.Client(admin.AccessToken).PatchAsync(QuoteStatusUrl(priced.QuoteId),
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(path, out _), body.ToString());
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
    }

    [Fact]
    public async Task Only_the_client_admin_may_sign()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var ops = await app.StaffAsync("ops_admin");
        var operatorAdmin = await app.OperatorAdminAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var priced = await app.SentQuoteAsync(admin, ops);

        foreach (var bearer in new[] { member.AccessToken, ops.AccessToken, operatorAdmin.AccessToken, key })
        {
            await (await SignAsync(bearer, priced.QuoteId)).ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task An_expired_quote_cannot_be_signed_and_nothing_changes()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        await app.ExpireQuoteAsync(priced.QuoteId);

        var body = await (await SignAsync(admin.AccessToken, priced.QuoteId)).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("quote_expired", body.GetProperty("code").GetString());
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
        Assert.Equal("", await QuoteColumnAsync("signed_at", priced.QuoteId));
        Assert.Equal("awaiting_client_approval", await app.ScalarAsync("SELECT status FROM automation_versions WHERE id = @id", ("id", priced.VersionId)));
        // Nor through the generic status endpoint.
        var generic = await (await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/automation-versions/{priced.VersionId}/status",
            new { status = "build_in_progress" })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("expired", generic.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("transition_guard_failed", generic.GetProperty("code").GetString());
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
    }

    [Fact]
    public async Task A_draft_cannot_be_signed_and_a_signed_quote_cannot_be_signed_again_or_adjusted()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var draft = await app.SubmittedVersionAsync(admin);
        var priced = await app.SentQuoteAsync(admin, ops);
        await (await SignAsync(admin.AccessToken, priced.QuoteId)).ExpectAsync(HttpStatusCode.OK);

        var onDraft = await (await SignAsync(admin.AccessToken, draft.QuoteId)).ExpectAsync(HttpStatusCode.Conflict);
        var again = await (await SignAsync(admin.AccessToken, priced.QuoteId)).ExpectAsync(HttpStatusCode.Conflict);
        var adjust = await (await app.Client(ops.AccessToken).PatchJsonAsync(QuoteUrl(priced.QuoteId), new { setup_fee = "1.00" }))
            .ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("invalid_quote_transition", onDraft.GetProperty("code").GetString());
        Assert.Equal("invalid_quote_transition", again.GetProperty("code").GetString());
        Assert.Equal("quote_not_draft", adjust.GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Two_concurrent_signatures_one_wins()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        var second = await app.TokenForAsync(admin.UserId, admin.TenantId, "admin");

        var results = await Task.WhenAll(SignAsync(admin.AccessToken, priced.QuoteId, "first/1"), SignAsync(second.AccessToken, priced.QuoteId, "second/1"));

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(results, r => r.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
        Assert.Equal("signed", await QuoteColumnAsync("status", priced.QuoteId));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'build-requests' AND tenant_id = @t", ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE resource_id = @v AND action_type = 'status_transition' AND metadata_json->>'transition' = 'T3'",
            ("v", priced.VersionId)));
    }

    [Fact]
    public async Task Another_tenants_admin_gets_404()
    {
        var owner = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(owner, ops);

        var res = await SignAsync(other.AccessToken, priced.QuoteId);

        Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
        Assert.DoesNotContain(priced.VersionId.ToString(), await res.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
    }

    [Fact]
    public async Task Signing_through_the_generic_status_endpoint_records_the_same_signature()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);

        await (await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/automation-versions/{priced.VersionId}/status",
            new { status = "build_in_progress" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("signed", await QuoteColumnAsync("status", priced.QuoteId));
        Assert.Equal(admin.UserId.ToString(), await QuoteColumnAsync("signed_by_id", priced.QuoteId));
        Assert.Matches("^[0-9a-f]{64}$", await QuoteColumnAsync("terms_sha256", priced.QuoteId));
    }

    [Fact]
    public async Task An_if_match_of_another_row_version_is_412()
    {
        var admin = await app.SignUpAsync();
        var ops = await app.StaffAsync("ops_admin");
        var priced = await app.SentQuoteAsync(admin, ops);
        using var client = app.Client(admin.AccessToken);
        using var req = new HttpRequestMessage(HttpMethod.Patch, QuoteStatusUrl(priced.QuoteId))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { status = "signed" }),
        };
        req.Headers.TryAddWithoutValidation("If-Match", "\"999\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(req)).StatusCode);
        Assert.Equal("sent", await QuoteColumnAsync("status", priced.QuoteId));
    }
}
