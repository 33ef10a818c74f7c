using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using WrkCopilot.Hosting;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>
/// One real PgBouncer (Debian's <c>pgbouncer</c>; <c>.ci/run</c> installs it when missing) per test run, in front of the run's
/// PostgreSQL server, in transaction pooling mode with a small pool: every database of the run gets at most
/// <see cref="PoolSize"/> server connections, so the app's clients (up to 20 per app) take turns on them as in production.
/// Only the app role connects through it (<see cref="RouteAsync"/>); migrations and the tests' owner connections stay direct.
/// As root it runs as the <c>postgres</c> user (PgBouncer refuses root), like <see cref="PostgresServer"/>'s cluster. Config,
/// auth file, pid file and log live in <c>wrk-pgbouncer-*</c> in the temp dir with the owner's pid: stopped at exit, by an
/// <see cref="ExitReaper"/> once the test host is gone, by <c>.ci/run</c>'s trap, and by the next start's sweep.
/// </summary>
public static class PgBouncerServer
{
    /// <summary>Server connections per (database, user) pool: fewer than the app's clients, so connections really are shared.</summary>
    public const int PoolSize = 3;

    /// <summary>The <c>application_name</c> of <see cref="Direct"/> connections, to tell them from PgBouncer's server connections.</summary>
    public const string DirectApplicationName = "wrk-direct";

    private const string DirPrefix = "wrk-pgbouncer-";
    private const string OwnerFile = "owner.pid";
    private const string PidFile = "pgbouncer.pid";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int? _port;
    private static (string Host, int Port) _server;

    /// <summary>
    /// <paramref name="appConnectionString"/> (a direct app-role connection) through the run's PgBouncer, started on first use.
    /// Npgsql behind transaction pooling: no reset on close (a <c>DISCARD ALL</c> would land on whatever server connection is
    /// next, and PgBouncer does not reset in this mode anyway), no prepared statements (the default), no multiplexing (the default).
    /// Already routed strings are returned unchanged (an instance sharing another's database via <see cref="WrkApp.UseDatabaseOf"/>).
    /// </summary>
    public static async Task<string> RouteAsync(string appConnectionString)
    {
        var direct = new NpgsqlConnectionStringBuilder(appConnectionString);
        var port = await PortAsync(direct.Host!, direct.Port);
        if (direct.Host == "127.0.0.1" && direct.Port == port)
        {
            return appConnectionString;
        }
        return new NpgsqlConnectionStringBuilder(appConnectionString)
        {
            Host = "127.0.0.1",
            Port = port,
            NoResetOnClose = true,
            MaxAutoPrepare = 0,
            Multiplexing = false,
        }.ConnectionString;
    }

    /// <summary>
    /// The direct connection behind a string made by <see cref="RouteAsync"/>, for what must keep a session of its own
    /// (the event stream's LISTEN, <c>ConnectionStrings:Listen</c>).
    /// </summary>
    public static string Direct(string routedConnectionString) => _port is null || routedConnectionString.Length == 0
        ? routedConnectionString
        : new NpgsqlConnectionStringBuilder(routedConnectionString) { Host = _server.Host, Port = _server.Port, NoResetOnClose = false, ApplicationName = DirectApplicationName }.ConnectionString;

    private static async Task<int> PortAsync(string serverHost, int serverPort)
    {
        if (_port is { } known)
        {
            return known;
        }
        await Gate.WaitAsync();
        try
        {
            if (_port is null)
            {
                _port = Start(serverHost, serverPort);
                _server = (serverHost, serverPort);
            }
            return _port.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static int Start(string serverHost, int serverPort)
    {
        var binary = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does it).");
        SweepStale();
        var dir = Path.Combine(Path.GetTempPath(), $"{DirPrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(dir, "userlist.txt"), $"\"{PostgresServer.AppRole}\" \"{PostgresServer.AppPassword}\"\n");
        if (IsRoot)
        {
            Run("chown", "-R", "postgres:postgres", dir);
        }
        ExitReaper.Register(
            """
            pid=$(cat "$1/pgbouncer.pid" 2>/dev/null)
            [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pgbouncer ] && kill "$pid"
            rm -rf "$1"
            """,
            dir);
        for (var attempt = 1; ; attempt++)
        {
            if (TryStart(binary, dir, serverHost, serverPort) is { } port)
            {
                return port;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException($"pgbouncer exited before listening, 3 times (ports taken?): {Log(dir)}");
            }
        }
    }

    /// <summary>Null when PgBouncer exited before listening (its port was taken between probing and binding).</summary>
    private static int? TryStart(string binary, string dir, string serverHost, int serverPort)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var config = Path.Combine(dir, "pgbouncer.ini");
        File.WriteAllText(config, $"""
            [databases]
            * = host={serverHost} port={serverPort}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = {dir}/userlist.txt
            pool_mode = transaction
            default_pool_size = {PoolSize}
            min_pool_size = 0
            reserve_pool_size = 0
            max_client_conn = 2000
            server_reset_query =
            ignore_startup_parameters = extra_float_digits
            log_connections = 0
            log_disconnections = 0
            pidfile = {dir}/{PidFile}
            logfile = {dir}/pgbouncer.log
            """);
        if (IsRoot)
        {
            Run("chown", "postgres:postgres", config);
        }
        // setpriv execs PgBouncer itself, so the child is PgBouncer (runuser would stay in between and outlive a kill).
        var psi = new ProcessStartInfo(IsRoot ? "setpriv" : binary)
        {
            UseShellExecute = false,
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var args = IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", binary, config] : new[] { config };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return null;
            }
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process, dir);
                return port;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        Stop(process, dir);
        throw new InvalidOperationException($"pgbouncer did not start listening within 15 s: {Log(dir)}");
    }

    private static string Log(string dir)
    {
        var log = Path.Combine(dir, "pgbouncer.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private static void Stop(Process process, string dir)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Stops PgBouncers recorded by runs that no longer exist; a live owner's PgBouncer is another run's.</summary>
    private static void SweepStale()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirPrefix + "*"))
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(Path.Combine(dir, OwnerFile)).Trim(), out var owner) || LocalPostgres.IsProcessAlive(owner))
                {
                    continue;
                }
                var pidFile = Path.Combine(dir, PidFile);
                // The pid may have been reused since: only a pgbouncer is ours to kill.
                if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && IsPgBouncer(pid))
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                                          or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Another run is sweeping the same directory, or the process just went away.
            }
        }
    }

    private static bool IsPgBouncer(int pid)
    {
        var comm = $"/proc/{pid}/comm";
        return File.Exists(comm) && File.ReadAllText(comm).Trim() == "pgbouncer";
    }

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with {p.ExitCode}");
        }
    }
}

/// <summary>
/// The app whose own connection (<c>ConnectionStrings:Default</c>) goes through the run's <see cref="PgBouncerServer"/> in
/// transaction pooling mode, as in production; migrations, the tests' owner connection and the event stream's LISTEN session
/// (<c>ConnectionStrings:Listen</c>) stay direct. Use it as <c>IClassFixture&lt;PgBouncerApp&gt;</c> to rerun a suite of tests
/// written against <see cref="WrkApp"/>.
/// </summary>
public class PgBouncerApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [new("ConnectionStrings:Listen", PgBouncerServer.Direct(AppConnectionString))];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        AppConnectionString = await PgBouncerServer.RouteAsync(AppConnectionString);
    }
}
