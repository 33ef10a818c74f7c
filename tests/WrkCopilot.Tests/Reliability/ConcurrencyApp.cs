using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Reliability;

/// <summary>
/// The app the races run against: the in-memory WRK Platform (<see cref="PlatformApp"/>, which records every activate and
/// deactivate), a run-event webhook secret, and the usage schedules off (the races drain by hand). A fixture that routes the
/// same races another way (e.g. through PgBouncer) derives from this one and adds its settings.
/// </summary>
public class ConcurrencyApp : PlatformApp
{
    public const string WebhookSecret = RunEventsApp.Secret;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("WrkPlatform:WebhookSecrets:0", WebhookSecret),
        new("Usage:SchedulesEnabled", "false"),
    ];
}

/// <summary>One answer of a race: its status and, for a problem, its <c>code</c>.</summary>
public sealed record RaceAnswer(HttpStatusCode Status, string? Code, JsonElement Body)
{
    public bool Won(HttpStatusCode winner) => Status == winner;

    public override string ToString() => $"{(int)Status} {Code}";
}

/// <summary>Starts requests together: every one is created and waiting before any is sent.</summary>
public static class Race
{
    public static async Task<RaceAnswer[]> RunAsync(IReadOnlyList<Func<Task<HttpResponseMessage>>> requests)
    {
        var arrived = 0;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = requests.Select(send => Task.Run(async () =>
        {
            if (Interlocked.Increment(ref arrived) == requests.Count)
            {
                go.SetResult();
            }
            await go.Task;
            using var res = await send();
            var body = await res.ReadAsync();
            var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;
            return new RaceAnswer(res.StatusCode, code, body);
        })).ToList();
        return await Task.WhenAll(running);
    }

    /// <summary>No answer is a 5xx, exactly one is <paramref name="winner"/>, every other is one of <paramref name="losers"/> (status, code).</summary>
    public static RaceAnswer OneWinner(RaceAnswer[] answers, HttpStatusCode winner, params (HttpStatusCode Status, string? Code)[] losers)
    {
        var all = string.Join(", ", answers.Select(a => a.ToString()));
        Assert.True(answers.All(a => (int)a.Status < 500), "a 5xx among: " + all);
        Assert.True(answers.Count(a => a.Won(winner)) == 1, $"not exactly one {(int)winner} among: {all}");
        AssertLosers(answers.Where(a => !a.Won(winner)), losers, all);
        return answers.Single(a => a.Won(winner));
    }

    /// <summary>No 5xx; the answers that are not <paramref name="winner"/> are all documented losers.</summary>
    public static void Serializable(RaceAnswer[] answers, HttpStatusCode winner, params (HttpStatusCode Status, string? Code)[] losers)
    {
        var all = string.Join(", ", answers.Select(a => a.ToString()));
        Assert.True(answers.All(a => (int)a.Status < 500), "a 5xx among: " + all);
        Assert.True(answers.Any(a => a.Won(winner)), $"no {(int)winner} among: {all}");
        AssertLosers(answers.Where(a => !a.Won(winner)), losers, all);
    }

    private static void AssertLosers(IEnumerable<RaceAnswer> rest, (HttpStatusCode Status, string? Code)[] losers, string all)
    {
        foreach (var loser in rest)
        {
            Assert.True(losers.Any(l => l.Status == loser.Status && (l.Code is null || l.Code == loser.Code)),
                $"undocumented loser {loser} among: {all}");
        }
    }
}
