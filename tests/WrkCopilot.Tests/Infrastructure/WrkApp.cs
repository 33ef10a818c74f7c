using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Features.Kernel.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// The app under test on its own database (one per test class: use as <c>IClassFixture&lt;WrkApp&gt;</c>),
/// connecting as the non-owner app role so RLS applies. The outbox dispatcher is off unless a test
/// subclass turns it on; tests drive it through <c>OutboxDispatcher</c> directly.
/// </summary>
public class WrkApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = "dGVzdC1zaWduaW5nLWtleS1mb3Itd3JrLWNvcGlsb3QtdGVzdHMtb25seQ==";
    public string OwnerConnectionString { get; private set; } = "";
    public string AppConnectionString { get; protected set; } = "";

    // Only the app that created the database drops it; one that borrowed it via UseDatabaseOf must not.
    private bool _ownsDatabase;

    /// <summary>Extra settings for a subclass (e.g. Redis, low rate limits, dispatcher on).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];

    public virtual async Task InitializeAsync()
    {
        if (OwnerConnectionString.Length == 0)
        {
            (OwnerConnectionString, AppConnectionString) = await PostgresServer.CreateDatabaseAsync(GetType().Name);
            _ownsDatabase = true;
        }
    }

    /// <summary>A second instance over the same database (call before first use), as two app servers would be.</summary>
    public void UseDatabaseOf(WrkApp other)
    {
        OwnerConnectionString = other.OwnerConnectionString;
        AppConnectionString = other.AppConnectionString;
    }

    private readonly Dictionary<string, WireMock.Server.WireMockServer> _externalServices = [];

    /// <summary>
    /// A WireMock.Net server standing in for an external HTTP service (an IdP, the WRK Platform, an LLM,
    /// Slack…), one per name, started on first use and stopped with the app. Point configuration at its Url
    /// in <see cref="Settings"/>.
    /// </summary>
    public WireMock.Server.WireMockServer ExternalService(string name)
    {
        lock (_externalServices)
        {
            if (!_externalServices.TryGetValue(name, out var server))
            {
                server = WireMock.Server.WireMockServer.Start();
                _externalServices[name] = server;
            }
            return server;
        }
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var server in _externalServices.Values)
        {
            server.Stop();
            server.Dispose();
        }
        NpgsqlConnection.ClearAllPools();
        if (_ownsDatabase)
        {
            // Keeps a run's disk use to the classes running at once rather than every class of the run.
            _ownsDatabase = false;
            await PostgresServer.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(OwnerConnectionString).Database!);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = AppConnectionString,
            ["ConnectionStrings:Migrations"] = OwnerConnectionString,
            ["Auth:SigningKeys:0:Kid"] = "test-1",
            ["Auth:SigningKeys:0:Secret"] = SigningKey,
            // Hashing cost is not under test; the production default (600,000) is asserted separately.
            ["Auth:PasswordIterations"] = "1000",
            ["Outbox:DispatcherEnabled"] = "false",
            ["Coravel:Queue:ConsummationDelay"] = "1",
            ["Http:TenantRequestsPerMinute"] = "100000",
            ["Http:ApiKeyRequestsPerMinute"] = "100000",
            ["Http:AnonymousRequestsPerMinute"] = "100000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in Settings())
        {
            settings[k] = v;
        }
        foreach (var (k, v) in settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IMailSender>();
            s.AddSingleton<IMailSender>(Mail);
        });
    }

    /// <summary>Every email the app's jobs sent (no SMTP server in tests).</summary>
    public RecordingMailSender Mail { get; } = new();

    /// <summary>Runs every due outbox job now, as the dispatcher would, until none is left (the scheduled dispatcher is off in tests).</summary>
    public async Task DeliverOutboxAsync()
    {
        var dispatcher = Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.ClaimAsync(CancellationToken.None) is { Count: > 0 } claims)
        {
            foreach (var claim in claims)
            {
                await using var scope = Scope();
                await scope.ServiceProvider.GetRequiredService<OutboxJobRunner>().RunAsync(claim, CancellationToken.None);
            }
        }
    }

    /// <summary>A scope with its own DbContext, e.g. to look at rows directly (tenant set explicitly).</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Runs <paramref name="work"/> as the owner (bypasses RLS): for arranging and inspecting rows in tests.</summary>
    public async Task<T> AsOwnerAsync<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        await using var conn = new NpgsqlConnection(OwnerConnectionString);
        await conn.OpenAsync();
        return await work(conn);
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] args) => await AsOwnerAsync(async conn =>
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v);
        }
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    });

    public HttpClient Client(string? bearer = null)
    {
        var c = CreateClient();
        if (bearer is not null)
        {
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return c;
    }
}

public static class Json
{
    public static readonly JsonSerializerOptions Options = JsonDefaults.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    });

    public static async Task<JsonElement> ReadAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient c, string url, object body) =>
        c.PostAsJsonAsync(url, body, Options);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient c, string url, object body) =>
        c.PutAsJsonAsync(url, body, Options);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient c, string url, object body) =>
        c.PatchAsJsonAsync(url, body, Options);
}

/// <summary>Records mail instead of sending it.</summary>
public sealed class RecordingMailSender : IMailSender
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<EmailMessage> _sent = new();

    public IReadOnlyList<EmailMessage> Sent => [.. _sent];

    public Task<bool> SendAsync(EmailMessage message, CancellationToken ct)
    {
        _sent.Enqueue(message);
        return Task.FromResult(true);
    }
}
