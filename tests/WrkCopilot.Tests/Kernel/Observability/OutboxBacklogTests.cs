using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WrkCopilot.Features.Kernel.Observability;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Observability;

public sealed class OutboxBacklogTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task Scrapes_within_the_sample_interval_share_one_read_of_the_outbox()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var backlog = new OutboxBacklog(app.Services.GetRequiredService<NpgsqlDataSource>(),
            Microsoft.Extensions.Options.Options.Create(new ObservabilityOptions { OutboxSampleInterval = TimeSpan.FromSeconds(5) }),
            clock, NullLogger<OutboxBacklog>.Instance);
        await app.InsertJobAsync("test.any", new { }, queue: "obs-sampled");

        Assert.Equal(1, Depth(backlog));
        await app.InsertJobAsync("test.any", new { }, queue: "obs-sampled");
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, Depth(backlog));   // a scrape storm is served from the last read
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Depth(backlog));
    }

    private static long Depth(OutboxBacklog backlog) => backlog.Sample().Single(q => q.Queue == "obs-sampled").Depth;
}
