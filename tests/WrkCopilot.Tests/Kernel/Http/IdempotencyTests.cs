using System.Net;
using System.Text;
using Npgsql;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

public sealed class IdempotencyTests(IdempotencyApp app) : IClassFixture<IdempotencyApp>
{
    private const string Route = "/v1/test/widgets";

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? key)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            req.Headers.Add("Idempotency-Key", key);
        }
        return await client.SendAsync(req);
    }

    private Task<long> WidgetsAsync(Guid tenantId) =>
        app.CountAsync("SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'widget_created'", ("t", tenantId));

    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer_and_creates_once()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);
        var key = Guid.NewGuid().ToString();

        var first = await PostAsync(client, """{"name":"gear"}""", key);
        var firstBody = await first.ExpectAsync(HttpStatusCode.Created);
        var second = await PostAsync(client, """{"name":"gear"}""", key);
        var secondBody = await second.ExpectAsync(HttpStatusCode.Created);

        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(firstBody.GetProperty("data").GetProperty("id").GetGuid(), secondBody.GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(firstBody.ToString(), secondBody.ToString());
        Assert.Equal(first.Content.Headers.ContentType?.MediaType, second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task Without_a_key_every_post_creates()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);

        var a = await (await PostAsync(client, """{"name":"gear"}""", null)).ExpectAsync(HttpStatusCode.Created);
        var b = await (await PostAsync(client, """{"name":"gear"}""", null)).ExpectAsync(HttpStatusCode.Created);

        Assert.NotEqual(a.GetProperty("data").GetProperty("id").GetGuid(), b.GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(2, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_creates_nothing_more()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);
        var key = Guid.NewGuid().ToString();
        await (await PostAsync(client, """{"name":"gear"}""", key)).ExpectAsync(HttpStatusCode.Created);

        var res = await PostAsync(client, """{"name":"sprocket"}""", key);

        var problem = await res.ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency_key_reused", problem.GetProperty("code").GetString());
        Assert.Equal(1, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task Keys_are_per_principal()
    {
        var alice = await app.SignUpAsync();
        var bob = await app.SignUpAsync();
        var key = Guid.NewGuid().ToString();
        using var aliceClient = app.Client(alice.AccessToken);
        using var bobClient = app.Client(bob.AccessToken);

        var a = await PostAsync(aliceClient, """{"name":"gear"}""", key);
        var b = await PostAsync(bobClient, """{"name":"gear"}""", key);

        var aId = (await a.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        var bId = (await b.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        Assert.NotEqual(aId, bId);
        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await WidgetsAsync(alice.TenantId));
        Assert.Equal(1, await WidgetsAsync(bob.TenantId));
    }

    [Fact]
    public async Task A_request_while_the_first_is_in_flight_is_409()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);
        const string body = """{"name":"gear"}""";
        // A completed request tells how the middleware names this principal, route and body.
        var probeKey = Guid.NewGuid().ToString();
        await (await PostAsync(client, body, probeKey)).ExpectAsync(HttpStatusCode.Created);
        var key = Guid.NewGuid().ToString();
        await app.AsOwnerAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO idempotency_keys (id, principal, route, key, request_hash, created_at, expires_at)
                SELECT @id, principal, route, @k, request_hash, now(), now() + interval '1 day' FROM idempotency_keys WHERE key = @probe
                """, conn);
            cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("k", key);
            cmd.Parameters.AddWithValue("probe", probeKey);
            return await cmd.ExecuteNonQueryAsync();
        });

        var res = await PostAsync(client, body, key);

        var problem = await res.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("idempotency_in_flight", problem.GetProperty("code").GetString());
        Assert.Equal(1, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_400()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);

        var res = await PostAsync(client, """{"name":"gear"}""", new string('k', 256));

        var problem = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), problem.ToString());
        Assert.Equal(0, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task An_expired_key_runs_the_request_again()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);
        var key = Guid.NewGuid().ToString();
        var first = (await (await PostAsync(client, """{"name":"gear"}""", key)).ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        await app.CountAsync("WITH u AS (UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = @k RETURNING 1) SELECT count(*) FROM u", ("k", key));

        var again = await PostAsync(client, """{"name":"gear"}""", key);

        var second = (await again.ExpectAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        Assert.NotEqual(first, second);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await WidgetsAsync(caller.TenantId));
    }

    [Fact]
    public async Task Endpoints_not_marked_idempotent_ignore_the_key()
    {
        var email = Identities.NewEmail();
        var key = Guid.NewGuid().ToString();
        using var anonymous = app.Client();
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/signup")
        {
            Content = JsonContent(new { email, password = Identities.Password, name = "X", workspace_name = "Y" }),
        };
        req.Headers.Add("Idempotency-Key", key);

        await (await anonymous.SendAsync(req)).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM idempotency_keys WHERE key = @k", ("k", key)));
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, Json.Options), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_key_names_one_target_resource_not_a_route_template()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client(user.AccessToken);
        async Task<(HttpResponseMessage Res, string Id)> PostChildAsync(Guid parent)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, $"/v1/test/parents/{parent}/children")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { name = "same" }),
            };
            req.Headers.Add("Idempotency-Key", "shared-key");
            var res = await client.SendAsync(req);
            return (res, (await res.ReadAsync()).GetProperty("data").GetProperty("id").GetString()!);
        }

        var (a, idA) = await PostChildAsync(Guid.NewGuid());
        var (b, idB) = await PostChildAsync(Guid.NewGuid());

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        Assert.NotEqual(idA, idB);
        Assert.False(b.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'child_created' AND user_id = @u", ("u", user.UserId)));
    }

    [Fact]
    public async Task A_replay_carries_the_first_answers_location()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client(user.AccessToken);
        var parent = Guid.NewGuid();
        async Task<HttpResponseMessage> PostAsync()
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, $"/v1/test/parents/{parent}/children")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { name = "located" }),
            };
            req.Headers.Add("Idempotency-Key", "located-key");
            return await client.SendAsync(req);
        }

        var first = await PostAsync();
        var replay = await PostAsync();

        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.NotNull(first.Headers.Location);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
    }

    [Fact]
    public async Task Work_that_committed_is_never_run_again_even_when_its_answer_was_lost()
    {
        var user = await app.SignUpAsync();
        using var client = app.Client(user.AccessToken);
        async Task<HttpResponseMessage> PostAsync()
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/test/fragile-widgets")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { name = "fragile" }),
            };
            req.Headers.Add("Idempotency-Key", "fragile-key");
            return await client.SendAsync(req);
        }

        var first = await PostAsync();
        var retry = await PostAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal("idempotency_in_flight", (await retry.ReadAsync()).GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'fragile_widget_created' AND user_id = @u", ("u", user.UserId)));
    }
}
