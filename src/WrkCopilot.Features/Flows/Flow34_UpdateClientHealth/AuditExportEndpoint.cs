using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using FastEndpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auditing;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

/// <summary>
/// <c>GET /v1/admin/audit-logs/export</c>: the filtered audit log, oldest first, as NDJSON or CSV, streamed row by row
/// from one read transaction (EF's async enumeration over the data reader), so any size is exported without
/// holding it in memory. The export itself is audited first, in its own transaction.
/// </summary>
internal sealed class ExportAuditLogsEndpoint(AppDbContext db, StaffReads staffReads, AuditTrail audit) : Endpoint<ExportAuditLogsRequest>
{
    private const int FlushEvery = 500;

    public override void Configure()
    {
        Get("/v1/admin/audit-logs/export");
        EndpointAccess.Declare(this, null, [AppRoles.OperatorAdmin]);
        Description(b => b.ClearDefaultProduces(200).Produces(200, typeof(string), "application/x-ndjson", "text/csv"), clearDefaults: false);
        Summary(s =>
        {
            s.Summary = "Export the audit log (operator admin) as NDJSON (default) or CSV, with the list's filters, oldest first.";
            s.Description = "Streamed: no size limit. CSV cells starting with = + - @ are prefixed with a quote (') so spreadsheets do not run them.";
            s.Responses[200] = "One JSON object per line, or a CSV with a header row.";
            s.Responses[400] = "Unknown format ($.format), bad id or time, 'to' not after 'from'.";
        });
    }

    public override async Task HandleAsync(ExportAuditLogsRequest req, CancellationToken ct)
    {
        var csv = req.Format == "csv";
        await staffReads.EnableAsync(ct);
        await using (var auditTx = await db.Database.BeginTransactionAsync(ct))
        {
            audit.Record("audit_log_exported", "audit_log", null, new
            {
                format = csv ? "csv" : "ndjson", req.TenantId, req.Actor, req.Action, req.ResourceType, req.ResourceId, req.From, req.To,
            });
            await db.SaveChangesAsync(ct);
            await auditTx.CommitAsync(ct);
        }

        var response = HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
        response.Headers.ContentDisposition = $"attachment; filename=\"audit-logs.{(csv ? "csv" : "ndjson")}\"";
        var body = response.BodyWriter;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var rows = AuditLogQuery.Filter(db.AuditLogs.AsNoTracking(), req)
                .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
                .AsAsyncEnumerable();
            using var json = new Utf8JsonWriter(body);
            var line = new StringBuilder();
            if (csv)
            {
                Encoding.UTF8.GetBytes("id,created_at,tenant_id,user_id,action_type,resource_type,resource_id,request_id,metadata\n", body);
            }
            var count = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                if (csv)
                {
                    WriteCsv(row, line, body);
                }
                else
                {
                    WriteJson(row, json, body);
                }
                row.MetadataJson.Dispose();
                if (++count % FlushEvery == 0)
                {
                    await body.FlushAsync(ct);
                }
            }
            await body.FlushAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away mid-export; nothing was changed by reading.
        }
    }

    private static void WriteJson(AuditLog a, Utf8JsonWriter json, PipeWriter body)
    {
        json.WriteStartObject();
        json.WriteString("id", a.Id);
        json.WriteString("created_at", a.CreatedAt);
        json.WriteString("tenant_id", a.TenantId);
        WriteNullable(json, "user_id", a.UserId);
        json.WriteString("action_type", a.ActionType);
        json.WriteString("resource_type", a.ResourceType);
        WriteNullable(json, "resource_id", a.ResourceId);
        json.WriteString("request_id", a.RequestId);
        json.WritePropertyName("metadata");
        a.MetadataJson.WriteTo(json);
        json.WriteEndObject();
        json.Flush();
        body.Write("\n"u8);
        json.Reset();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, Guid? value)
    {
        if (value is { } v)
        {
            json.WriteString(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteCsv(AuditLog a, StringBuilder line, PipeWriter body)
    {
        line.Clear();
        line.Append(a.Id).Append(',')
            .Append(a.CreatedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
            .Append(a.TenantId).Append(',')
            .Append(a.UserId?.ToString()).Append(',');
        AppendCell(line, a.ActionType).Append(',');
        AppendCell(line, a.ResourceType).Append(',');
        line.Append(a.ResourceId?.ToString()).Append(',');
        AppendCell(line, a.RequestId).Append(',');
        AppendCell(line, JsonSerializer.Serialize(a.MetadataJson.RootElement)).Append('\n');
        foreach (var chunk in line.GetChunks())
        {
            Encoding.UTF8.GetBytes(chunk.Span, body);
        }
    }

    /// <summary>RFC 4180 quoting, and formula-injection defence: a cell a spreadsheet would evaluate starts with a quote.</summary>
    internal static StringBuilder AppendCell(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return line;
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"')
            : line.Append(value);
    }
}
