using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Outbox;

public sealed class OutboxCleanupTests(WrkApp app) : IClassFixture<WrkApp>
{
    private async Task<Guid> KeyAsync(TimeSpan expiresIn) => await app.AsOwnerAsync(async conn =>
    {
        var id = Guid.CreateVersion7();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO idempotency_keys (id, principal, route, key, request_hash, status_code, created_at, completed_at, expires_at)
            VALUES (@id, 'user:x', 'POST /v1/x', @id::text, 'h', 201, now(), now(), now() + @in)
            """, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("in", expiresIn);
        await cmd.ExecuteNonQueryAsync();
        return id;
    });

    [Fact]
    public async Task Clean_up_deletes_old_done_rows_and_expired_keys_and_keeps_everything_else()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-8);
        var oldDone = await app.InsertJobAsync("email", new { }, status: "done", createdAt: old, completedAt: old);
        var recentDone = await app.InsertJobAsync("email", new { }, status: "done", createdAt: old, completedAt: DateTimeOffset.UtcNow.AddDays(-1));
        var oldDead = await app.InsertJobAsync("email", new { }, status: "dead", createdAt: old.AddDays(-30));
        var oldPending = await app.InsertJobAsync("email", new { }, status: "pending", createdAt: old, availableAt: DateTimeOffset.UtcNow.AddDays(1));
        var expiredKey = await KeyAsync(TimeSpan.FromMinutes(-1));
        var liveKey = await KeyAsync(TimeSpan.FromHours(1));

        var result = await app.Services.GetRequiredService<OutboxCleanup>().RunAsync(CancellationToken.None);

        Assert.True(result.Ran);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id", ("id", oldDone)));
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = ANY(@ids)", ("ids", new[] { recentDone, oldDead, oldPending })));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM idempotency_keys WHERE id = @id", ("id", expiredKey)));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM idempotency_keys WHERE id = @id", ("id", liveKey)));
    }

    [Fact]
    public async Task Only_one_instance_runs_the_clean_up_at_a_time()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-30);
        var oldDone = await app.InsertJobAsync("email", new { }, status: "done", createdAt: old, completedAt: old);
        var cleanup = app.Services.GetRequiredService<OutboxCleanup>();

        await using (var other = new NpgsqlConnection(app.OwnerConnectionString))
        {
            await other.OpenAsync();
            await using var tx = await other.BeginTransactionAsync();
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", other, tx))
            {
                take.Parameters.AddWithValue("k", OutboxCleanup.LockKey);
                await take.ExecuteNonQueryAsync();
            }

            var skipped = await cleanup.RunAsync(CancellationToken.None);

            Assert.False(skipped.Ran);
            Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id", ("id", oldDone)));
            await tx.CommitAsync();
        }

        var ran = await cleanup.RunAsync(CancellationToken.None);

        Assert.True(ran.Ran);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE id = @id", ("id", oldDone)));
    }
}
