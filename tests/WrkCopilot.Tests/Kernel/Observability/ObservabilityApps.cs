using System.Collections;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using WrkCopilot.Tests.Kernel.Outbox;

namespace WrkCopilot.Tests.Kernel.Observability;

/// <summary>
/// The app with <c>/metrics</c> behind a token, the recording test job, an API-key rate limit of one request a
/// minute (so a second call is refused), no caching of the outbox backlog (each scrape reads it) and retries an
/// hour away (a failed job stays not yet due while the test runs).
/// </summary>
public class MetricsApp : RecordingApp
{
    public const string Token = "test-metrics-token-0123456789";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Observability:MetricsToken", Token),
        new("Observability:OutboxSampleInterval", "00:00:00"),
        new("Http:ApiKeyRequestsPerMinute", "1"),
        new("Outbox:RetryBase", "01:00:00"),
    ];
}

/// <summary>A second host in the same process and database as a <see cref="MetricsApp"/>, to show the hosts' series stay apart.</summary>
public sealed class SecondMetricsApp : MetricsApp;

/// <summary>
/// The app with this test assembly's endpoints, a job that calls the WRK Platform stand-in (WireMock) and every
/// finished span kept in memory (OpenTelemetry's in-memory exporter).
/// </summary>
public sealed class TracingApp : Infrastructure.WrkApp
{
    public const string PlatformClient = "test-platform";

    public LockedList<Activity> Spans { get; } = new();

    // The real WRK Platform client points at the same WireMock server, so a build job's call is traced too.
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Endpoints:AdditionalAssemblies:0", typeof(TracingApp).Assembly.GetName().Name),
        new("WrkPlatform:Mode", "Http"),
        new("WrkPlatform:BaseUrl", ExternalService("wrk-platform").Url),
        new("WrkPlatform:WebhookSecrets:0", WrkCopilot.Features.Integrations.WrkPlatform.WebhookSignatures.NewSecret()),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var platform = ExternalService("wrk-platform");
        builder.ConfigureTestServices(s =>
        {
            s.AddHttpClient(PlatformClient, c => c.BaseAddress = new Uri(platform.Url!));
            s.AddScoped<WrkCopilot.Features.Kernel.Outbox.IJobHandler, PlatformCallJob>();
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
        });
    }
}

/// <summary>
/// A list safe to add to from several threads: every host in the test process shares the static activity sources,
/// so spans of other test classes reach this exporter too, concurrently.
/// </summary>
public sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
