using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data;
using Microsoft.Extensions.Options;
using Npgsql;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs (endpoints marked <see cref="IdempotentCreate"/>), kept in
/// <c>idempotency_keys</c> by (principal, route, key): the same key and body within the retention replays
/// the first status, body, Location and ETag; another body → 422; still in flight → 409. A 5xx answer is not
/// kept, so a retry runs again — unless the work had committed, in which case the key stays in flight.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, NpgsqlDataSource dataSource, IOptions<HttpOptions> options, TimeProvider clock)
{
    public const string Header = "Idempotency-Key";
    private const int MaxBodyBytes = 1 << 20;

    public async Task InvokeAsync(HttpContext ctx, CurrentSession session)
    {
        var key = ctx.Request.Headers[Header].ToString();
        var endpoint = ctx.GetEndpoint();
        if (string.IsNullOrEmpty(key) || !HttpMethods.IsPost(ctx.Request.Method) ||
            endpoint?.Metadata.GetMetadata<IdempotentCreate>() is null || session.Value is not { } s)
        {
            await next(ctx);
            return;
        }
        if (key.Length > 255)
        {
            await Problem.WriteAsync(ctx, 400, "validation_failed", "Idempotency-Key must be at most 255 characters.",
                new Dictionary<string, string[]> { ["Idempotency-Key"] = ["At most 255 characters."] });
            return;
        }
        // The body is read ahead to hash it, so the endpoint's body limit is enforced here as well (Kestrel's own
        // limit does it for a real server; this also covers hosts without one). Buffered beyond 30 KB to a temp file.
        var limit = endpoint.Metadata.GetMetadata<RequestBodyLimit>()?.For(ctx.Request) ?? options.Value.MaxRequestBodyBytes;
        ctx.Request.Body = new BodyLimitStream(ctx.Request.Body, limit);
        ctx.Request.EnableBuffering();
        var requestHash = await RequestHash.ComputeAsync(ctx.Request, ctx.RequestAborted);
        ctx.Request.Body.Position = 0;
        // The concrete target, not the route template: one key on /parents/A/children and /parents/B/children
        // names two different operations.
        var route = $"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}";
        var now = clock.GetUtcNow();

        await using (var conn = await dataSource.OpenConnectionAsync(ctx.RequestAborted))
        {
            // Expired keys are free again.
            await using (var purge = new NpgsqlCommand(
                "DELETE FROM idempotency_keys WHERE principal = @p AND route = @r AND key = @k AND expires_at <= @now", conn))
            {
                purge.Parameters.AddWithValue("p", s.Principal);
                purge.Parameters.AddWithValue("r", route);
                purge.Parameters.AddWithValue("k", key);
                purge.Parameters.AddWithValue("now", now);
                await purge.ExecuteNonQueryAsync(ctx.RequestAborted);
            }
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO idempotency_keys (id, principal, route, key, request_hash, created_at, expires_at)
                VALUES (@id, @p, @r, @k, @h, @now, @exp)
                ON CONFLICT (principal, route, key) DO NOTHING
                """, conn);
            insert.Parameters.AddWithValue("id", Guid.CreateVersion7());
            insert.Parameters.AddWithValue("p", s.Principal);
            insert.Parameters.AddWithValue("r", route);
            insert.Parameters.AddWithValue("k", key);
            insert.Parameters.AddWithValue("h", requestHash);
            insert.Parameters.AddWithValue("now", now);
            insert.Parameters.AddWithValue("exp", now + options.Value.IdempotencyRetention);
            if (await insert.ExecuteNonQueryAsync(ctx.RequestAborted) == 0)
            {
                await ReplayOrRefuseAsync(ctx, conn, s.Principal, route, key, requestHash);
                return;
            }
        }

        var originalBody = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        var keep = false;
        try
        {
            await next(ctx);
            // A conflict or a rate limit depends on the moment, not on the request: the key is freed so that a retry runs again.
            keep = ctx.Response.StatusCode < 500 && ctx.Response.StatusCode is not (409 or 429) && buffer.Length <= MaxBodyBytes;
        }
        finally
        {
            ctx.Response.Body = originalBody;
            // Work that committed must never run twice: if its answer cannot be kept, the key stays in flight
            // (409 to a retry) until it expires, rather than being freed for a duplicate.
            var committed = ctx.RequestServices.GetService<AppDbContext>()?.HasCommitted == true;
            if (keep || !committed)
            {
                await FinishAsync(ctx, s.Principal, route, key, keep ? buffer.ToArray() : null);
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, ctx.RequestAborted);
    }

    private static readonly string[] ReplayedHeaders = ["Location", "ETag"];

    private async Task FinishAsync(HttpContext ctx, string principal, string route, string key, byte[]? body)
    {
        await using var conn = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var cmd = body is not null
            ? new NpgsqlCommand(
                """
                UPDATE idempotency_keys SET status_code = @s, content_type = @ct, response_body = @b, response_headers = @h::jsonb,
                       completed_at = @now
                WHERE principal = @p AND route = @r AND key = @k
                """, conn)
            : new NpgsqlCommand("DELETE FROM idempotency_keys WHERE principal = @p AND route = @r AND key = @k", conn);
        cmd.Parameters.AddWithValue("p", principal);
        cmd.Parameters.AddWithValue("r", route);
        cmd.Parameters.AddWithValue("k", key);
        if (body is not null)
        {
            var headers = ReplayedHeaders.Where(h => ctx.Response.Headers.ContainsKey(h))
                .ToDictionary(h => h, h => ctx.Response.Headers[h].ToString());
            cmd.Parameters.AddWithValue("s", ctx.Response.StatusCode);
            cmd.Parameters.AddWithValue("ct", (object?)ctx.Response.ContentType ?? DBNull.Value);
            cmd.Parameters.AddWithValue("b", body);
            cmd.Parameters.AddWithValue("h", System.Text.Json.JsonSerializer.Serialize(headers));
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow());
        }
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static async Task ReplayOrRefuseAsync(HttpContext ctx, NpgsqlConnection conn, string principal, string route, string key, string requestHash)
    {
        await using var select = new NpgsqlCommand(
            "SELECT request_hash, status_code, content_type, response_body, response_headers::text FROM idempotency_keys WHERE principal = @p AND route = @r AND key = @k", conn);
        select.Parameters.AddWithValue("p", principal);
        select.Parameters.AddWithValue("r", route);
        select.Parameters.AddWithValue("k", key);
        await using var reader = await select.ExecuteReaderAsync(ctx.RequestAborted);
        if (!await reader.ReadAsync(ctx.RequestAborted))
        {
            await Problem.WriteAsync(ctx, 409, "idempotency_in_flight", "A request with this Idempotency-Key is being processed; retry shortly.");
            return;
        }
        if (reader.GetString(0) != requestHash)
        {
            await Problem.WriteAsync(ctx, 422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body.");
            return;
        }
        if (await reader.IsDBNullAsync(1, ctx.RequestAborted))
        {
            await Problem.WriteAsync(ctx, 409, "idempotency_in_flight", "A request with this Idempotency-Key is being processed; retry shortly.");
            return;
        }
        ctx.Response.StatusCode = reader.GetInt32(1);
        if (!await reader.IsDBNullAsync(2, ctx.RequestAborted))
        {
            ctx.Response.ContentType = reader.GetString(2);
        }
        ctx.Response.Headers["Idempotent-Replayed"] = "true";
        if (!await reader.IsDBNullAsync(4, ctx.RequestAborted) &&
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4)) is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                ctx.Response.Headers[name] = value;
            }
        }
        if (!await reader.IsDBNullAsync(3, ctx.RequestAborted))
        {
            var body = (byte[])reader.GetValue(3);
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
        }
    }
}
