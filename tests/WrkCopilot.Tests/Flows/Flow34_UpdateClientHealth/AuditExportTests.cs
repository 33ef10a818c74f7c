using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow34_UpdateClientHealth;

/// <summary>Runs alone: its memory bound reads the process's managed heap, which parallel classes would disturb.</summary>
[CollectionDefinition(nameof(AuditExportTests), DisableParallelization = true)]
public sealed class AuditExportCollection;

[Collection(nameof(AuditExportTests))]
public sealed class AuditExportTests(WrkApp app) : IClassFixture<WrkApp>
{
    private const int Rows = 100_000;

    private async Task<Guid> BulkAuditAsync()
    {
        var tenant = await app.InsertTenantAsync();
        // ~400 bytes of metadata per row: holding 100,000 of them would cost far more than the bound below.
        await app.ExecuteAsync("""
            INSERT INTO audit_logs (id, tenant_id, user_id, action_type, resource_type, resource_id, metadata_json, created_at)
            SELECT gen_random_uuid(), @t, NULL, 'bulk_event', 'test', NULL,
                   jsonb_build_object('i', i, 'padding', repeat('x', 400)), timestamptz '2021-01-01' + i * interval '1 second'
            FROM generate_series(1, @n) AS i
            """, ("t", tenant), ("n", Rows));
        return tenant;
    }

    [Fact]
    public async Task A_large_export_streams_every_row_as_ndjson_and_csv_without_growing_memory()
    {
        var admin = await app.StaffAsync("admin");
        var tenant = await BulkAuditAsync();
        using var http = app.Client(admin.AccessToken);
        http.Timeout = TimeSpan.FromMinutes(5);

        // NDJSON: count lines as they arrive, sampling the heap mid-stream (where a buffering server would hold everything).
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using (var res = await http.GetAsync($"/v1/admin/audit-logs/export?format=ndjson&tenant_id={tenant}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Equal("application/x-ndjson", res.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            var lines = 0;
            string? first = null, last = null;
            while (await reader.ReadLineAsync() is { } line)
            {
                first ??= line;
                last = line;
                if (++lines % 25_000 == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                }
            }
            Assert.Equal(Rows, lines);
            using var firstRow = JsonDocument.Parse(first!);
            using var lastRow = JsonDocument.Parse(last!);
            Assert.Equal(1, firstRow.RootElement.GetProperty("metadata").GetProperty("i").GetInt32()); // oldest first
            Assert.Equal(Rows, lastRow.RootElement.GetProperty("metadata").GetProperty("i").GetInt32());
            Assert.Equal(tenant, lastRow.RootElement.GetProperty("tenant_id").GetGuid());
            Assert.Equal("bulk_event", lastRow.RootElement.GetProperty("action_type").GetString());
        }
        Assert.True(peak < 50 * 1024 * 1024, $"managed heap grew by {peak / 1024 / 1024} MB while exporting");

        using (var res = await http.GetAsync($"/v1/admin/audit-logs/export?format=csv&tenant_id={tenant}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Equal("text/csv", res.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            Assert.Equal("id,created_at,tenant_id,user_id,action_type,resource_type,resource_id,request_id,metadata", await reader.ReadLineAsync());
            var lines = 0;
            while (await reader.ReadLineAsync() is not null)
            {
                lines++;
            }
            Assert.Equal(Rows, lines);
        }
        // The exports themselves are on record, in the operator tenant, with the staff user as actor.
        Assert.Equal(2, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND user_id = @u AND action_type = 'audit_log_exported' AND metadata_json->>'tenant_id' = @f",
            ("t", admin.TenantId), ("u", admin.UserId), ("f", tenant.ToString())));
    }

    [Fact]
    public async Task Csv_cells_are_quoted_and_formulas_are_defused()
    {
        var admin = await app.StaffAsync("admin");
        var tenant = await app.InsertTenantAsync();
        await app.ExecuteAsync("""
            INSERT INTO audit_logs (id, tenant_id, action_type, resource_type, metadata_json, request_id, created_at)
            VALUES (gen_random_uuid(), @t, '=HYPERLINK("http://evil.test","x")', '@sum', '{"note":"a, \"quoted\" value"}', '-1+1', now())
            """, ("t", tenant));

        var res = await app.Client(admin.AccessToken).GetAsync($"/v1/admin/audit-logs/export?format=csv&tenant_id={tenant}");

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var lines = (await res.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var cells = ParseCsvLine(lines[1]);
        Assert.Equal(9, cells.Count);
        Assert.Equal("'=HYPERLINK(\"http://evil.test\",\"x\")", cells[4]);
        Assert.Equal("'@sum", cells[5]);
        Assert.Equal("'-1+1", cells[7]);
        Assert.Equal("a, \"quoted\" value", JsonDocument.Parse(cells[8]).RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task An_unknown_format_is_refused_by_path()
    {
        var admin = await app.StaffAsync("admin");

        var res = await app.Client(admin.AccessToken).GetAsync("/v1/admin/audit-logs/export?format=xlsx");

        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty("$.format", out _), body.ToString());
    }

    /// <summary>RFC 4180, one line: quoted cells may hold commas and doubled quotes.</summary>
    private static List<string> ParseCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
