using System.Net;
using System.Security.Cryptography;
using System.Text;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeBilling;

namespace WrkCopilot.Tests.Flows.Flow17_VolumeUpgrade;

public sealed class VolumeUpgradeTests(BillingApp app) : IClassFixture<BillingApp>
{
    private static readonly DateTimeOffset Now = Utc(2026, 3, 10, 12);

    private async Task<(Caller Admin, Guid Version, Guid Quote)> SignedLiveAsync(string status = "live", bool client = true)
    {
        app.Clock.Set(Now);
        var admin = await app.WorkspaceAdminAsync("Upgrade Co");
        if (client)
        {
            await app.InsertClientAsync(admin.TenantId, null, committed: 500m);
        }
        var version = (await app.OpsProjectAsync(admin.TenantId, status)).VersionId;
        var quote = await app.InsertQuoteAsync(admin.TenantId, version, signedAt: Utc(2026, 2, 15), unitPrice: 0.2500m);
        return (admin, version, quote);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task A_client_admin_gets_a_sent_amendment_at_the_tier_price_and_signing_it_supersedes_the_signed_quote()
    {
        var (admin, version, signed) = await SignedLiveAsync();
        var res = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 50_000 });
        var q = (await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        Assert.Equal("amendment", q.GetProperty("kind").GetString());
        Assert.Equal("sent", q.GetProperty("status").GetString());
        Assert.Equal(signed, q.GetProperty("supersedes_quote_id").GetGuid());
        Assert.Equal(50_000, q.GetProperty("committed_volume").GetInt32());
        Assert.Equal("0.2500", q.GetProperty("unit_price").GetString());
        Assert.Equal("0.2000", q.GetProperty("effective_unit_price").GetString()); // 50,000 runs: tier 20 % off
        Assert.Equal("0.00", q.GetProperty("setup_fee").GetString());
        Assert.Equal(Now, q.GetProperty("sent_at").GetDateTimeOffset());
        Assert.Equal(Now.AddDays(30), q.GetProperty("expires_at").GetDateTimeOffset());
        var amendment = q.GetProperty("id").GetGuid();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'quote_amendment_sent' AND resource_id = @id", ("id", amendment)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'quote.amendment_sent'", ("t", admin.TenantId)));

        var client = app.Client(admin.AccessToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("BillingTest/1.0");
        var signedRes = await client.PatchJsonAsync($"/v1/quotes/{amendment}/status", new { status = "signed" });
        var s = (await signedRes.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("signed", s.GetProperty("status").GetString());
        Assert.Equal(Now, s.GetProperty("signed_at").GetDateTimeOffset());
        Assert.Equal(admin.UserId, s.GetProperty("signed_by_id").GetGuid());
        Assert.Equal(Sha256("{}"), s.GetProperty("blueprint_sha256").GetString());
        Assert.Matches("^[0-9a-f]{64}$", s.GetProperty("terms_sha256").GetString());
        Assert.Equal("BillingTest/1.0", await app.ScalarAsync<string>("SELECT signed_user_agent FROM quotes WHERE id = @id", ("id", amendment)));
        Assert.Equal("superseded", await app.ScalarAsync<string>("SELECT status FROM quotes WHERE id = @id", ("id", signed)));
        Assert.Equal(50_000 * 0.2000m, await app.ScalarAsync<decimal>("SELECT committed_monthly_spend FROM clients WHERE tenant_id = @t", ("t", admin.TenantId)));
        // No lifecycle transition: the version stays live.
        Assert.Equal("live", await app.ScalarAsync<string>("SELECT status FROM automation_versions WHERE id = @id", ("id", version)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'committed_monthly_spend_changed' AND tenant_id = @t", ("t", admin.TenantId)));

        // Signed: the old quote can no longer be amended; the new one can, to a larger volume only.
        var stale = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 60_000 });
        Assert.Equal("quote_not_signed", (await stale.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        var smaller = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{amendment}/volume-upgrade", new { committed_volume = 40_000 });
        Assert.Equal("not_an_upgrade", (await smaller.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_upgrade_never_lowers_what_the_client_has_committed_to()
    {
        var (admin, _, quote) = await SignedLiveAsync();
        using var client = app.Client(admin.AccessToken);
        var first = (await (await client.PostJsonAsync($"/v1/quotes/{quote}/volume-upgrade", new { committed_volume = 20_000 })).ExpectAsync(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("id").GetGuid();
        await (await client.PatchJsonAsync($"/v1/quotes/{first}/status", new { status = "signed" })).ExpectAsync(HttpStatusCode.OK);
        var spend = await app.ScalarAsync<decimal>("SELECT committed_monthly_spend FROM clients WHERE tenant_id = @t", ("t", admin.TenantId));

        // Committing to fewer runs, or to as many at a lower total, is not an upgrade.
        await (await client.PostJsonAsync($"/v1/quotes/{first}/volume-upgrade", new { committed_volume = 20_001 })).ExpectAsync(HttpStatusCode.Created);
        var down = await (await client.PostJsonAsync($"/v1/quotes/{first}/volume-upgrade", new { committed_volume = 1 })).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("not_an_upgrade", down.GetProperty("code").GetString());
        Assert.Equal(spend, await app.ScalarAsync<decimal>("SELECT committed_monthly_spend FROM clients WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_paused_version_without_a_client_row_can_be_upgraded()
    {
        var (admin, _, signed) = await SignedLiveAsync("paused", client: false);
        var q = (await (await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 10_000 }))
            .ExpectAsync(HttpStatusCode.Created)).GetProperty("data");
        await (await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/quotes/{q.GetProperty("id").GetGuid()}/status", new { status = "signed" }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM clients WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_retried_upgrade_with_the_same_idempotency_key_creates_one_amendment()
    {
        var (admin, _, signed) = await SignedLiveAsync();
        var key = Guid.NewGuid().ToString("N");
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            var client = app.Client(admin.AccessToken);
            client.DefaultRequestHeaders.Add("Idempotency-Key", key);
            var res = await client.PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 10_000 });
            ids.Add((await res.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid());
        }
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM quotes WHERE supersedes_quote_id = @q", ("q", signed)));
    }

    [Fact]
    public async Task An_expired_amendment_cannot_be_signed()
    {
        var (admin, version, signed) = await SignedLiveAsync();
        var amendment = await app.InsertQuoteAsync(admin.TenantId, version, status: "sent", kind: "amendment", setupFee: 0m,
            effectiveUnitPrice: 0.2250m, committedVolume: 10_000, supersedes: signed, expiresAt: Now.AddSeconds(-1), createdAt: Now.AddDays(-31));
        var res = await app.Client(admin.AccessToken).PatchJsonAsync($"/v1/quotes/{amendment}/status", new { status = "signed" });
        Assert.Equal("quote_expired", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal("signed", await app.ScalarAsync<string>("SELECT status FROM quotes WHERE id = @id", ("id", signed)));
    }

    [Fact]
    public async Task Only_the_signed_quote_of_a_live_or_paused_version_can_be_upgraded()
    {
        var (admin, _, _) = await SignedLiveAsync();
        var building = (await app.OpsProjectAsync(admin.TenantId, "build_in_progress")).VersionId;
        var signedBuilding = await app.InsertQuoteAsync(admin.TenantId, building, signedAt: Utc(2026, 3, 1));
        var res = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signedBuilding}/volume-upgrade", new { committed_volume = 10_000 });
        Assert.Equal("version_not_live", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());

        var live = (await app.OpsProjectAsync(admin.TenantId, "live")).VersionId;
        var sent = await app.InsertQuoteAsync(admin.TenantId, live, status: "sent", expiresAt: Now.AddDays(5));
        res = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{sent}/volume-upgrade", new { committed_volume = 10_000 });
        Assert.Equal("quote_not_signed", (await res.ExpectAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM quotes WHERE tenant_id = @t AND kind = 'amendment'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Another_workspaces_quote_is_not_found_and_nothing_of_it_leaks()
    {
        var (_, _, signed) = await SignedLiveAsync();
        var stranger = await app.WorkspaceAdminAsync("Stranger");
        var res = await app.Client(stranger.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 10_000 });
        var body = await res.ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(signed.ToString(), body.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM quotes WHERE supersedes_quote_id = @q", ("q", signed)));
    }

    [Fact]
    public async Task Members_and_staff_may_not_ask_for_an_upgrade_and_staff_may_not_sign_one()
    {
        var (admin, version, signed) = await SignedLiveAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var ops = await app.StaffAsync("ops_admin");
        foreach (var caller in new[] { member, ops })
        {
            var res = await app.Client(caller.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = 10_000 });
            await res.ExpectAsync(HttpStatusCode.Forbidden);
        }
        var amendment = await app.InsertQuoteAsync(admin.TenantId, version, status: "sent", kind: "amendment", setupFee: 0m,
            effectiveUnitPrice: 0.2250m, committedVolume: 10_000, supersedes: signed, expiresAt: Now.AddDays(30), createdAt: Now);
        var sign = await app.Client(ops.AccessToken).PatchJsonAsync($"/v1/quotes/{amendment}/status", new { status = "signed" });
        await sign.ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("sent", await app.ScalarAsync<string>("SELECT status FROM quotes WHERE id = @id", ("id", amendment)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(null)]
    public async Task A_missing_or_non_positive_volume_is_refused_by_path(int? volume)
    {
        var (admin, _, signed) = await SignedLiveAsync();
        var res = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = volume });
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.committed_volume", out _), body.ToString());
    }

    [Fact]
    public async Task A_volume_sent_as_a_string_is_refused_by_path()
    {
        var (admin, _, signed) = await SignedLiveAsync();
        var res = await app.Client(admin.AccessToken).PostJsonAsync($"/v1/quotes/{signed}/volume-upgrade", new { committed_volume = "10000" });
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.committed_volume", out _), body.ToString());
    }

    [Fact]
    public async Task Two_signatures_of_one_amendment_at_once_one_wins()
    {
        var (admin, version, signed) = await SignedLiveAsync();
        var amendment = await app.InsertQuoteAsync(admin.TenantId, version, status: "sent", kind: "amendment", setupFee: 0m,
            effectiveUnitPrice: 0.2250m, committedVolume: 10_000, supersedes: signed, expiresAt: Now.AddDays(30), createdAt: Now);
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            app.Client(admin.AccessToken).PatchJsonAsync($"/v1/quotes/{amendment}/status", new { status = "signed" })));
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'quote_signed' AND resource_id = @id", ("id", amendment)));
    }
}
