using WrkCopilot.Tests.Infrastructure;
using WrkCopilot.Tests.Reliability;

namespace WrkCopilot.Tests.Topology;

/// <summary>The races' app (<see cref="ConcurrencyApp"/>) with its app-role connection through PgBouncer in transaction pooling mode.</summary>
public sealed class PgBouncerConcurrencyApp : ConcurrencyApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [.. base.Settings(), new("ConnectionStrings:Listen", PgBouncerServer.Direct(AppConnectionString))];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        AppConnectionString = await PgBouncerServer.RouteAsync(AppConnectionString);
    }
}

/// <summary>
/// The races of <see cref="ConcurrencyContract"/> rerun behind PgBouncer (3 server connections shared by every request): one
/// winner each, no lost update, no double count, whatever server connection each transaction lands on.
/// </summary>
public sealed class ConcurrencyThroughPgBouncerTests(PgBouncerConcurrencyApp app) : ConcurrencyContract(app), IClassFixture<PgBouncerConcurrencyApp>;
