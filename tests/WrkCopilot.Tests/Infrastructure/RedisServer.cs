using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using WrkCopilot.Hosting;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// One real <c>redis-server</c> per test run on a free loopback port, no persistence; stopped at exit.
/// (<c>.ci/run</c> installs Debian's redis-server when it is missing.) A test host is often killed before its
/// exit handlers run, so each server is recorded in <c>wrk-redis-&lt;port&gt;.pid</c> ("ownerPid redisPid") in the
/// temp dir: an <see cref="ExitReaper"/> stops it once this process is gone, and the next start kills servers
/// whose owner is gone, for whatever a reaper missed.
/// </summary>
public static class RedisServer
{
    private const string PidFilePrefix = "wrk-redis-";
    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Connection => Server.Value;

    private static string Start()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/run does it).");
        SweepStale();
        for (var attempt = 1; ; attempt++)
        {
            if (TryStart(binary) is { } connection)
            {
                return connection;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException("redis-server exited before listening, 3 times (ports taken?)");
            }
        }
    }

    /// <summary>Null when the server exited before listening (its port was taken between probing and binding).</summary>
    private static string? TryStart(string binary)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no" })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var pidFile = Path.Combine(Path.GetTempPath(), $"{PidFilePrefix}{port}.pid");
        File.WriteAllText(pidFile, $"{Environment.ProcessId} {process.Id}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                File.Delete(pidFile);
                return null;
            }
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process, pidFile);
                ExitReaper.Register(
                    """
                    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = redis-server ] && kill "$1"
                    rm -f "$2"
                    """,
                    process.Id.ToString(CultureInfo.InvariantCulture), pidFile);
                return $"127.0.0.1:{port},abortConnect=false";
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        Stop(process, pidFile);
        throw new InvalidOperationException("redis-server did not start listening within 15 s");
    }

    private static void Stop(Process process, string pidFile)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        File.Delete(pidFile);
    }

    /// <summary>Kills servers recorded by runs that no longer exist; a live owner's server is another run's.</summary>
    private static void SweepStale()
    {
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), PidFilePrefix + "*.pid"))
        {
            try
            {
                var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 2 || !int.TryParse(parts[0], out var owner) || !int.TryParse(parts[1], out var redis)
                    || LocalPostgres.IsProcessAlive(owner))
                {
                    continue;
                }
                // The pid may have been reused since: only a redis-server is ours to kill.
                if (LocalPostgres.IsProcessAlive(redis) && IsRedis(redis))
                {
                    using var p = Process.GetProcessById(redis);
                    p.Kill();
                }
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                                          or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Another run is sweeping the same file, or the process just went away.
            }
        }
    }

    private static bool IsRedis(int pid)
    {
        var comm = $"/proc/{pid}/comm";
        return File.Exists(comm) && File.ReadAllText(comm).Trim() == "redis-server";
    }
}
