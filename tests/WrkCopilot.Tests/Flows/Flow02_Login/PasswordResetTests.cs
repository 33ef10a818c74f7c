using System.Net;
using System.Text.RegularExpressions;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

public sealed partial class PasswordResetTests(WrkApp app) : IClassFixture<WrkApp>
{
    private const string NewPassword = "a-Brand-new-passphrase-7";

    [GeneratedRegex(@"token=([A-Za-z0-9_\-]+)")]
    private static partial Regex TokenInLink();

    private async Task<string> RequestResetAsync(string email)
    {
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/password-reset", new { email });
        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        var body = await app.LastEmailBodyAsync(email);
        Assert.NotNull(body);
        var token = Uri.UnescapeDataString(TokenInLink().Match(body).Groups[1].Value);
        // Mailed, but never at rest: neither the outbox nor the reset row holds the token itself.
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE payload::text LIKE '%' || @t || '%'", ("t", token)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM password_reset_tokens WHERE token_hash = @t", ("t", token)));
        return token;
    }

    private async Task<HttpResponseMessage> ConfirmAsync(string token, string password = NewPassword)
    {
        using var client = app.Client();
        return await client.PostJsonAsync("/v1/auth/password-reset/confirm", new { token, password });
    }

    [Fact]
    public async Task Reset_end_to_end_changes_the_password_and_ends_every_session_in_every_workspace()
    {
        var user = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        await app.AddMembershipAsync(other.TenantId, user.UserId, "member");
        var inOther = await app.LoginAsync(user.Email, tenantId: other.TenantId);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(inOther.AccessToken)).Status);

        var token = await RequestResetAsync(user.Email);
        // Stored hashed, valid one hour, never in clear.
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM password_reset_tokens WHERE user_id = @u AND token_hash = @h AND expires_at BETWEEN created_at + interval '59 minutes' AND created_at + interval '61 minutes'",
            ("u", user.UserId), ("h", Secrets.Hash(token))));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM password_reset_tokens WHERE token_hash = @t", ("t", token)));

        var res = await ConfirmAsync(token);

        Assert.Equal(HttpStatusCode.NoContent, res.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(user.AccessToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.MeAsync(inOther.AccessToken)).Status);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u AND revoked_at IS NULL", ("u", user.UserId)));
        using var client = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await client.PostJsonAsync("/v1/auth/login", new { email = user.Email, password = user.Password })).StatusCode);
        var fresh = await app.LoginAsync(user.Email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(fresh.AccessToken)).Status);

        // Single use.
        var again = await ConfirmAsync(token, "yet-another-Passphrase-8");
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal("reset_token_invalid", (await again.ReadAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unknown_email_gets_the_same_202_and_no_mail()
    {
        var email = Identities.NewEmail();
        using var client = app.Client();
        var res = await client.PostJsonAsync("/v1/auth/password-reset", new { email });

        Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
        Assert.Equal("accepted", (await res.ReadAsync()).GetProperty("data").GetProperty("status").GetString());
        Assert.Null(await app.LastEmailBodyAsync(email));
    }

    [Fact]
    public async Task Expired_and_unknown_tokens_are_410_and_change_nothing()
    {
        var user = await app.SignUpAsync();
        var token = await RequestResetAsync(user.Email);
        await app.ExecuteAsync("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' WHERE user_id = @u", ("u", user.UserId));

        var expired = await ConfirmAsync(token);
        var unknown = await ConfirmAsync("no-such-reset-token");

        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Equal("reset_token_invalid", (await expired.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Gone, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.MeAsync(user.AccessToken)).Status);
        await app.LoginAsync(user.Email, user.Password);
    }

    [Theory]
    [InlineData("short", "$.password")]
    [InlineData("password1234", "$.password")]
    [InlineData("", "$.password")]
    public async Task A_weak_new_password_is_400_and_the_token_stays_usable(string password, string field)
    {
        var user = await app.SignUpAsync();
        var token = await RequestResetAsync(user.Email);

        var res = await ConfirmAsync(token, password);

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.True((await res.ReadAsync()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(HttpStatusCode.NoContent, (await ConfirmAsync(token)).StatusCode);
    }

    [Fact]
    public async Task Bad_email_and_missing_token_are_400_naming_the_field()
    {
        using var client = app.Client();
        var badEmail = await client.PostJsonAsync("/v1/auth/password-reset", new { email = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.True((await badEmail.ReadAsync()).GetProperty("errors").TryGetProperty("$.email", out _));

        var noToken = await ConfirmAsync("");
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.True((await noToken.ReadAsync()).GetProperty("errors").TryGetProperty("$.token", out _));
    }

    [Fact]
    public async Task A_refresh_in_flight_cannot_keep_a_session_alive_through_a_password_reset()
    {
        var user = await app.SignUpAsync();
        var token = await RequestResetAsync(user.Email);

        // A refresh of this user has inserted its replacement session under the shared lock and not yet committed.
        var raced = Guid.CreateVersion7();
        await using var refresh = new Npgsql.NpgsqlConnection(app.OwnerConnectionString);
        await refresh.OpenAsync();
        await using var tx = await refresh.BeginTransactionAsync();
        await using (var cmd = new Npgsql.NpgsqlCommand(
            """
            SELECT 1 FROM users WHERE id = @u FOR SHARE;
            INSERT INTO sessions (id, family_id, user_id, tenant_id, token_hash, created_at, expires_at)
            VALUES (@id, @id, @u, @t, @h, now(), now() + interval '1 day');
            """, refresh, tx))
        {
            cmd.Parameters.AddWithValue("u", user.UserId);
            cmd.Parameters.AddWithValue("t", user.TenantId);
            cmd.Parameters.AddWithValue("id", raced);
            cmd.Parameters.AddWithValue("h", Guid.NewGuid().ToString("N"));
            await cmd.ExecuteNonQueryAsync();
        }

        var confirm = ConfirmAsync(token);
        await Task.Delay(500); // give the reset time to run ahead if it could: it must wait for the refresh instead
        await tx.CommitAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await confirm).StatusCode);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM sessions WHERE user_id = @u AND revoked_at IS NULL", ("u", user.UserId)));
    }

    [Fact]
    public async Task Known_and_unknown_emails_cause_the_same_work_in_the_request()
    {
        var user = await app.SignUpAsync();
        var unknown = Identities.NewEmail("nobody");
        using var client = app.Client();

        foreach (var email in new[] { user.Email, unknown })
        {
            var res = await client.PostJsonAsync("/v1/auth/password-reset", new { email });
            Assert.Equal(HttpStatusCode.Accepted, res.StatusCode);
            // One queued job, whatever the email; the lookup happens in the job.
            Assert.Equal(1, await app.CountAsync(
                "SELECT count(*) FROM outbox WHERE type = 'password_reset_email' AND payload->>'email_normalized' = @e", ("e", email.ToLowerInvariant())));
        }
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM password_reset_tokens WHERE user_id = @u", ("u", user.UserId)));

        await app.DeliverOutboxAsync();
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM password_reset_tokens WHERE user_id = @u", ("u", user.UserId)));
        Assert.DoesNotContain(app.Mail.Sent, m => m.To == unknown);
    }
}
