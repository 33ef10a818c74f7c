using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

/// <summary>
/// The raw baseline for the tenant-scoped list read (issue 7, item 2): plain ASP.NET Core and Npgsql, no framework, no auth
/// (the tenant comes from the query string). Per request it sends what the service sends to PostgreSQL for
/// <c>GET /v1/automations?limit=50</c> — a transaction whose first statement sets the tenant for RLS, the page query and the
/// versions query, as EF Core generates them (bench/results/list-read.sql is the service's own log of them) — and writes the
/// same JSON shape. What is left between the two is our stack: routing, auth, validation, EF Core, mapping. It also serves the
/// webhook's HTTP ceiling (a POST that only reads its body).
/// </summary>
internal static class Baseline
{
    private const string PageSql = """
        SELECT a.id, a.archived_at, a.created_at, a.department, a.description, a.name, a.owner_id, a.tenant_id, a.updated_at
        FROM automations AS a
        WHERE (a.tenant_id = @tenant OR @staff) AND a.archived_at IS NULL AND EXISTS (
            SELECT 1
            FROM automation_versions AS a0
            WHERE (a0.tenant_id = @tenant OR @staff) AND a0.automation_id = a.id AND a0.status <> 'archived')
        ORDER BY a.created_at DESC, a.id DESC
        LIMIT @limit
        """;

    private const string VersionsSql = """
        SELECT a.id, a.tenant_id, a.automation_id, a.version, a.major, a.minor, a.status, a.status_before_blocked, a.blocked_reason,
            a.intake_progress, a.notes, a.row_version, a.created_at, a.updated_at
        FROM automation_versions AS a
        WHERE (a.tenant_id = @tenant OR @staff) AND a.automation_id = ANY (@ids)
        """;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static async Task<int> ServeAsync(string url, string database)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        await using var data = NpgsqlDataSource.Create(database);
        app.MapGet("/automations", async (HttpContext http) =>
        {
            var tenant = Guid.Parse(http.Request.Query["tenant"]!);
            var limit = int.Parse(http.Request.Query["limit"]!, System.Globalization.CultureInfo.InvariantCulture);
            var page = await ListAsync(data, tenant, limit, http.RequestAborted);
            http.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(http.Response.Body, page, JsonOptions, http.RequestAborted);
        });
        // The HTTP ceiling for the webhook figures: the same pre-signed requests to an endpoint that reads the body and answers
        // 204, nothing else — what this machine's 2 cores give ASP.NET Core with the load generator beside it.
        app.MapPost("/v1/webhooks/wrk-run-event", async (HttpContext http) =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        await app.RunAsync();
        return 0;
    }

    private static async Task<PageOut> ListAsync(NpgsqlDataSource data, Guid tenant, int limit, CancellationToken ct)
    {
        await using var conn = await data.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @tenant, true), set_config('app.staff_read', @staff, true)", conn, tx))
        {
            set.Parameters.AddWithValue("tenant", tenant.ToString());
            set.Parameters.AddWithValue("staff", "off");
            await set.ExecuteNonQueryAsync(ct);
        }
        var automations = new List<AutomationRow>(limit + 1);
        await using (var page = new NpgsqlCommand(PageSql, conn, tx))
        {
            page.Parameters.AddWithValue("tenant", tenant);
            page.Parameters.AddWithValue("staff", false);
            page.Parameters.AddWithValue("limit", limit + 1);
            await using var r = await page.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                automations.Add(new AutomationRow(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1),
                    r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetString(5), r.IsDBNull(6) ? null : r.GetGuid(6), r.GetFieldValue<DateTimeOffset>(8)));
            }
        }
        string? next = null;
        if (automations.Count > limit)
        {
            automations.RemoveAt(limit);
            var last = automations[^1];
            next = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{last.CreatedAt:O}|{last.Id}"));
        }
        var versions = new List<VersionOut>();
        await using (var cmd = new NpgsqlCommand(VersionsSql, conn, tx))
        {
            cmd.Parameters.AddWithValue("tenant", tenant);
            cmd.Parameters.AddWithValue("staff", false);
            cmd.Parameters.AddWithValue("ids", automations.Select(a => a.Id).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                versions.Add(new VersionOut(r.GetGuid(0), r.GetGuid(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), r.GetString(6),
                    r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetInt32(9),
                    r.IsDBNull(10) ? null : r.GetString(10), r.GetInt64(11), r.GetFieldValue<DateTimeOffset>(12), r.GetFieldValue<DateTimeOffset>(13)));
            }
        }
        await tx.CommitAsync(ct);
        var byAutomation = versions.ToLookup(v => v.AutomationId);
        var items = automations.Select(a =>
        {
            var newestFirst = byAutomation[a.Id].OrderByDescending(v => v.Major).ThenByDescending(v => v.Minor).ToList();
            var current = newestFirst.FirstOrDefault(v => v.Status != "archived");
            return new AutomationOut(a.Id, a.Name, a.Description, a.Department, a.OwnerId, current?.Status ?? "archived",
                current ?? newestFirst.FirstOrDefault(), a.ArchivedAt, a.CreatedAt, a.UpdatedAt);
        }).ToList();
        return new PageOut(items, new MetaOut(next, limit));
    }

    private sealed record AutomationRow(Guid Id, DateTimeOffset? ArchivedAt, DateTimeOffset CreatedAt, string? Department,
        string? Description, string Name, Guid? OwnerId, DateTimeOffset UpdatedAt);

    private sealed record VersionOut(Guid Id, Guid AutomationId, string Version, int Major, int Minor, string Status,
        string? StatusBeforeBlocked, string? BlockedReason, int IntakeProgress, string? Notes, long RowVersion,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private sealed record AutomationOut(Guid Id, string Name, string? Description, string? Department, Guid? OwnerId, string Status,
        VersionOut? LatestVersion, DateTimeOffset? ArchivedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private sealed record PageOut(IReadOnlyList<AutomationOut> Data, MetaOut Meta);

    private sealed record MetaOut(string? NextCursor, int Limit);
}
