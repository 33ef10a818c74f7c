using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace WrkCopilot.Tests.Infrastructure;

public sealed record OpsProject(Guid AutomationId, Guid VersionId, Guid ProjectId);

/// <summary>Arranging the ops console's rows (clients, projects, usage, alerts) as the owner, and reading the event stream.</summary>
public static class ArrangeOps
{
    public static async Task<OpsProject> OpsProjectAsync(this WrkApp app, Guid tenantId, string status = "intake_in_progress",
        string pricingStatus = "none", Guid? ownerId = null, Guid? clientId = null, string name = "Lead sync")
    {
        var ids = new OpsProject(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await app.ExecuteAsync("""
            INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@a, @t, @n, now(), now());
            INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json,
                intake_progress, row_version, created_at, updated_at)
            VALUES (@v, @t, @a, 'v1.0', 1, 0, @s, '{}'::jsonb, 0, 1, now(), now());
            INSERT INTO projects (id, tenant_id, client_id, automation_id, automation_version_id, name, type, status, pricing_status,
                owner_id, checklist_progress, created_at, updated_at)
            VALUES (@p, @t, @c, @a, @v, @n, 'new_automation', @s, @ps, @o, 0, clock_timestamp(), clock_timestamp());
            """, ("a", ids.AutomationId), ("t", tenantId), ("v", ids.VersionId), ("p", ids.ProjectId), ("s", status), ("n", name),
            ("ps", pricingStatus), ("o", (object?)ownerId ?? DBNull.Value), ("c", (object?)clientId ?? DBNull.Value));
        return ids;
    }

    public static async Task<Guid> InsertClientAsync(this WrkApp app, Guid tenantId, Guid? ownerId, string name = "Client",
        string health = "good", decimal committed = 1000m)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO clients (id, tenant_id, name, health_status, owner_id, committed_monthly_spend, created_at, updated_at)
            VALUES (@id, @t, @n, @h, @o, @m, clock_timestamp(), clock_timestamp())
            """, ("id", id), ("t", tenantId), ("n", name), ("h", health), ("o", (object?)ownerId ?? DBNull.Value), ("m", committed));
        return id;
    }

    public static Task<int> InsertUsageAsync(this WrkApp app, Guid tenantId, Guid versionId, string granularity, DateOnly start,
        DateOnly end, decimal totalCost) => app.ExecuteAsync("""
        INSERT INTO usage_aggregates (id, tenant_id, automation_version_id, granularity, period_start, period_end, run_count,
            success_count, failure_count, total_cost, created_at, updated_at)
        VALUES (@id, @t, @v, @g, @s, @e, 1, 1, 0, @c, now(), now())
        """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("v", versionId), ("g", granularity), ("s", start), ("e", end), ("c", totalCost));

    public static Task<int> InsertAlertAsync(this WrkApp app, Guid tenantId, string status = "open") => app.ExecuteAsync("""
        INSERT INTO alerts (id, tenant_id, kind, period_key, status, message, created_at)
        VALUES (@id, @t, 'budget', @k, @s, 'Budget reached', now())
        """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("k", Guid.NewGuid().ToString("N")), ("s", status));

    /// <summary>Opens <c>GET /v1/events/stream</c> and returns once the server has sent its first bytes (it is subscribed then).</summary>
    public static async Task<SseStream> OpenStreamAsync(this WrkApp app, string bearer, string? lastEventId = null)
    {
        var client = app.Client(bearer);
        client.Timeout = Timeout.InfiniteTimeSpan;
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = new SseStream(client, response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8));
        Assert.Equal(": connected", await stream.ReadLineAsync()); // after "retry:"
        return stream;
    }
}

public sealed record SseEvent(long Id, string Type, JsonElement Data);

/// <summary>A test's view of an SSE stream: events in order, comments skipped, every read bounded by a timeout.</summary>
public sealed class SseStream(HttpClient client, HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            if (line is null || !line.StartsWith("retry:", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>The next event (fails after the timeout: an event that never comes is a failure, not a wait).</summary>
    public async Task<SseEvent> NextAsync()
    {
        long? id = null;
        string? type = null;
        string? data = null;
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new InvalidOperationException("The stream ended.");
            if (line.Length == 0)
            {
                if (id is not null)
                {
                    return new SseEvent(id.Value, type!, JsonDocument.Parse(data!).RootElement.Clone());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "event": type = value; break;
                case "data": data = value; break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        client.Dispose();
        await Task.CompletedTask;
    }
}
