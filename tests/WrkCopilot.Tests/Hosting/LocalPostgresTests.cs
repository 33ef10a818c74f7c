using System.Diagnostics;
using WrkCopilot.Hosting;

namespace WrkCopilot.Tests.Hosting;

/// <summary>The sweep stops a leftover cluster only if its recorded pid is still that cluster's server: PIDs are reused.</summary>
public sealed class LocalPostgresTests
{
    [Fact]
    public async Task A_recorded_pid_that_now_belongs_to_another_process_is_not_a_postmaster()
    {
        var dir = Directory.CreateTempSubdirectory("wrk-sweep-probe-").FullName;
        try
        {
            var data = Path.Combine(dir, "data");
            Directory.CreateDirectory(data);
            using var unrelated = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            await File.WriteAllTextAsync(Path.Combine(data, "postmaster.pid"), $"{unrelated.Id}\n{data}\n");

            Assert.Null(LocalPostgres.PostmasterOf(data));

            unrelated.Kill();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_running_test_cluster_is_recognised_as_its_own_postmaster()
    {
        await Infrastructure.PostgresServer.CreateDatabaseAsync("probe");
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("WRK_TEST_DATABASE_URL")))
        {
            return; // an external server: no local cluster in this run
        }
        var data = Directory.GetDirectories(Path.GetTempPath(), "wrk-pg-*")
            .Where(d => File.Exists(Path.Combine(d, LocalPostgres.OwnerFile)) &&
                        File.ReadAllText(Path.Combine(d, LocalPostgres.OwnerFile)).Trim() == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(d => Path.Combine(d, "data"))
            .FirstOrDefault();
        Assert.NotNull(data);
        Assert.NotNull(LocalPostgres.PostmasterOf(data));
    }
}
