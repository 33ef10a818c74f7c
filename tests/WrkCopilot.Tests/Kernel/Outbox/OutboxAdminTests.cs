using System.Net;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

public sealed class OutboxAdminTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Staff_list_dead_jobs_across_tenants_without_their_payloads()
    {
        var client1 = await app.SignUpAsync();
        var secret = $"reset-token-{Guid.NewGuid():N}";
        var dead = await app.InsertJobAsync("email", new { to = "a@example.test", token = secret }, status: "dead",
            tenantId: client1.TenantId, attempts: 8, maxAttempts: 8);
        var pending = await app.InsertJobAsync("email", new { to = "b@example.test" });
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var res = await client.GetAsync("/v1/admin/jobs?status=dead");

        var body = await res.ExpectAsync(HttpStatusCode.OK);
        var items = body.GetProperty("data").EnumerateArray().ToList();
        Assert.All(items, j => Assert.Equal("dead", j.GetProperty("status").GetString()));
        var job = Assert.Single(items, j => j.GetProperty("id").GetGuid() == dead);
        Assert.DoesNotContain(items, j => j.GetProperty("id").GetGuid() == pending);
        Assert.Equal(client1.TenantId, job.GetProperty("tenant_id").GetGuid());
        Assert.Equal("notifications", job.GetProperty("queue").GetString());
        Assert.Equal("email", job.GetProperty("type").GetString());
        Assert.Equal(8, job.GetProperty("attempts").GetInt32());
        Assert.Equal(8, job.GetProperty("max_attempts").GetInt32());
        foreach (var field in new[] { "available_at", "last_error", "created_at", "completed_at" })
        {
            Assert.True(job.TryGetProperty(field, out _), $"missing {field}");
        }
        Assert.False(job.TryGetProperty("payload", out _));
        Assert.DoesNotContain(secret, body.ToString());
    }

    [Fact]
    public async Task Queue_and_type_filters_narrow_the_list_and_an_operator_admin_may_list()
    {
        var type = $"test.filter-{Guid.NewGuid():N}";
        var inQueue = await app.InsertJobAsync(type, new { }, queue: "usage-sync");
        await app.InsertJobAsync(type, new { }, queue: "build-requests");
        await app.InsertJobAsync("email", new { }, queue: "usage-sync");
        var admin = await app.StaffAsync("admin");
        using var client = app.Client(admin.AccessToken);

        var res = await client.GetAsync($"/v1/admin/jobs?queue=usage-sync&type={type}");

        var items = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(inQueue, Assert.Single(items).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Retry_puts_a_dead_job_back_to_pending_and_is_audited_in_the_operator_tenant()
    {
        var id = await app.InsertJobAsync("email", new { }, status: "dead", attempts: 8, maxAttempts: 8,
            availableAt: DateTimeOffset.UtcNow.AddDays(-2));
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var res = await client.PostAsync($"/v1/admin/jobs/{id}/retry", null);

        var job = (await res.ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(id, job.GetProperty("id").GetGuid());
        Assert.Equal("pending", job.GetProperty("status").GetString());
        Assert.Equal(0, job.GetProperty("attempts").GetInt32());
        Assert.False(job.TryGetProperty("payload", out _));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE id = @id AND status = 'pending' AND attempts = 0 AND available_at > now() - interval '1 hour'", ("id", id)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'job_retried' AND resource_id = @id",
            ("t", staff.TenantId), ("u", staff.UserId), ("id", id)));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("processing")]
    [InlineData("done")]
    public async Task Retrying_a_job_that_is_not_dead_is_409_and_changes_nothing(string status)
    {
        var id = await app.InsertJobAsync("email", new { }, status: status, attempts: 3);
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var res = await client.PostAsync($"/v1/admin/jobs/{id}/retry", null);

        var problem = await res.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("job_not_dead", problem.GetProperty("code").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = @s AND attempts = 3", ("id", id), ("s", status)));
    }

    [Fact]
    public async Task Retrying_an_unknown_job_is_404()
    {
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var res = await client.PostAsync($"/v1/admin/jobs/{Guid.CreateVersion7()}/retry", null);

        Assert.Equal("not_found", (await res.ExpectAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Client_admins_and_api_keys_are_403_cs_admins_read_but_do_not_retry_anonymous_401()
    {
        var dead = await app.InsertJobAsync("email", new { }, status: "dead");
        var clientAdmin = await app.SignUpAsync();
        var csAdmin = await app.StaffAsync("cs_admin");
        var operatorKey = await app.ApiKeyAsync(csAdmin.TenantId, csAdmin.UserId);
        var clientKey = await app.ApiKeyAsync(clientAdmin.TenantId, clientAdmin.UserId);
        // A key "permission" spelled like a staff role must not pass either.
        var roleNamedKey = await app.ApiKeyAsync(csAdmin.TenantId, csAdmin.UserId, ["operator:ops_admin", "operator:admin"]);

        foreach (var bearer in new[] { clientAdmin.AccessToken, operatorKey, clientKey, roleNamedKey })
        {
            using var client = app.Client(bearer);
            await (await client.GetAsync("/v1/admin/jobs?status=dead")).ExpectAsync(HttpStatusCode.Forbidden);
            await (await client.PostAsync($"/v1/admin/jobs/{dead}/retry", null)).ExpectAsync(HttpStatusCode.Forbidden);
        }
        using (var cs = app.Client(csAdmin.AccessToken))
        {
            await (await cs.GetAsync("/v1/admin/jobs?status=dead")).ExpectAsync(HttpStatusCode.OK);
            await (await cs.PostAsync($"/v1/admin/jobs/{dead}/retry", null)).ExpectAsync(HttpStatusCode.Forbidden);
        }
        using var anonymous = app.Client();
        await (await anonymous.GetAsync("/v1/admin/jobs")).ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'dead'", ("id", dead)));
    }

    [Theory]
    [InlineData("status=failed", "$.status")]
    [InlineData("status=DEAD", "$.status")]
    [InlineData("cursor=not-a-cursor", "$.cursor")]
    [InlineData("limit=0", "$.limit")]
    [InlineData("limit=201", "$.limit")]
    public async Task Bad_filters_are_400_naming_the_parameter(string query, string path)
    {
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var res = await client.GetAsync($"/v1/admin/jobs?{query}");

        var problem = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(path, out _), problem.ToString());
    }

    [Fact]
    public async Task Limit_2_walks_every_page_newest_first_exactly_once()
    {
        var type = $"test.paging-{Guid.NewGuid():N}";
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await app.InsertJobAsync(type, new { }, createdAt: start.AddMinutes(i)));
        }
        var staff = await app.StaffAsync("ops_admin");
        using var client = app.Client(staff.AccessToken);

        var seen = new List<Guid>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var url = $"/v1/admin/jobs?type={type}&limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var body = await (await client.GetAsync(url)).ExpectAsync(HttpStatusCode.OK);
            var data = body.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()).ToList();
            Assert.InRange(data.Count, 1, 2);
            Assert.Equal(2, body.GetProperty("meta").GetProperty("limit").GetInt32());
            seen.AddRange(data);
            pages++;
            var next = body.GetProperty("meta").GetProperty("next_cursor");
            cursor = next.ValueKind == System.Text.Json.JsonValueKind.Null ? null : next.GetString();
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(ids).ToList(), seen);
    }
}
