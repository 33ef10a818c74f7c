using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WrkCopilot.Hosting;

/// <summary>
/// A PostgreSQL cluster run from the machine's own binaries (initdb + pg_ctl), for local runs and tests:
/// no Docker. As root the server binaries run as the <c>postgres</c> user (initdb refuses root).
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string SuperUser = "postgres";
    private readonly string _root;
    private readonly bool _ephemeral;
    private readonly string _bin;

    private LocalPostgres(string root, int port, bool ephemeral, string bin)
    {
        _root = root;
        Port = port;
        _ephemeral = ephemeral;
        _bin = bin;
    }

    public int Port { get; }
    public string DataDirectory => Path.Combine(_root, "data");
    public string SocketDirectory => _root;
    public string LogFile => Path.Combine(_root, "server.log");

    public string ConnectionString(string database, string user = SuperUser, string? password = null) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory,
            Port = Port,
            Database = database,
            Username = user,
            Password = password,
        }.ConnectionString;

    public const string EphemeralPrefix = "wrk-pg-";
    public const string OwnerFile = "owner.pid";

    /// <summary>
    /// A throwaway cluster in a temp dir, tuned for tests (no fsync). Deleted on dispose, at process exit as a
    /// best effort, and by an <see cref="ExitReaper"/> once this process is gone (a test host is often killed
    /// before its exit handlers finish). The directory also records its owner's pid, and each ephemeral start
    /// sweeps clusters whose owner is gone, for whatever the reaper missed.
    /// </summary>
    public static async Task<LocalPostgres> StartEphemeralAsync(CancellationToken ct = default)
    {
        var bin = FindBinaries();
        await SweepStaleEphemeralAsync(bin, ct);
        var root = Path.Combine(Path.GetTempPath(), $"{EphemeralPrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        return await StartAsync(root, fixedPort: null, ephemeral: true, ct);
    }

    /// <summary>The pid in <c>postmaster.pid</c> when that process is alive and serves <paramref name="data"/>.</summary>
    internal static int? PostmasterOf(string data)
    {
        try
        {
            var pidFile = Path.Combine(data, "postmaster.pid");
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
            {
                return null;
            }
            var cwd = new FileInfo($"/proc/{pid}/cwd").LinkTarget;
            return cwd is not null && Path.GetFullPath(cwd).TrimEnd('/') == Path.GetFullPath(data).TrimEnd('/') ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stops and deletes ephemeral clusters left by processes that no longer exist. A directory whose owner
    /// is alive belongs to a concurrent run and is left alone. One without an owner file was written by an
    /// older version or is being created right now, so it only counts as stale once it is an hour old.
    /// </summary>
    private static async Task SweepStaleEphemeralAsync(string bin, CancellationToken ct)
    {
        string[] dirs;
        try
        {
            dirs = Directory.GetDirectories(Path.GetTempPath(), EphemeralPrefix + "*");
        }
        catch (IOException)
        {
            return;
        }
        foreach (var dir in dirs)
        {
            if (!IsStale(dir))
            {
                continue;
            }
            try
            {
                var data = Path.Combine(dir, "data");
                // pg_ctl signals whatever process now has the recorded pid: only stop it if that process really is
                // this directory's server (its working directory is the data directory). PIDs are reused.
                if (PostmasterOf(data) is not null)
                {
                    var stale = new LocalPostgres(dir, 0, ephemeral: true, bin);
                    await stale.RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], IsRoot, ct);
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                          or System.ComponentModel.Win32Exception)
            {
                // Another sweeper got there first, or the directory is not ours to delete: not worth failing a run.
            }
        }
    }

    private static bool IsStale(string dir)
    {
        string owner;
        try
        {
            owner = File.ReadAllText(Path.Combine(dir, OwnerFile)).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) > TimeSpan.FromHours(1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return int.TryParse(owner, out var pid) && !IsProcessAlive(pid);
    }

    /// <summary>Whether a process with this id exists (a reused pid keeps a stale directory: safe, just a leak).</summary>
    public static bool IsProcessAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid}");
        }
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A persistent cluster for <c>dotnet run</c>: created once, started if it is not running.</summary>
    public static Task<LocalPostgres> StartPersistentAsync(string root, int port, CancellationToken ct = default) =>
        StartAsync(root, port, ephemeral: false, ct);

    private static async Task<LocalPostgres> StartAsync(string root, int? fixedPort, bool ephemeral, CancellationToken ct)
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(root);
        if (IsRoot)
        {
            // The postgres user must be able to write here (and reach it).
            RunChecked("chown", ["-R", "postgres:postgres", root], root);
        }
        var pg = new LocalPostgres(root, fixedPort ?? FreePort(), ephemeral, bin);
        if (!File.Exists(Path.Combine(pg.DataDirectory, "PG_VERSION")))
        {
            await pg.RunServerToolAsync("initdb",
                ["-D", pg.DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-instructions",
                 .. ephemeral ? new[] { "--no-sync" } : []], ct);
        }
        if (await pg.IsRunningAsync(ct))
        {
            return pg;
        }
        var options = $"-p {pg.Port} -k {pg.SocketDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200";
        if (ephemeral)
        {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await pg.RunServerToolAsync("pg_ctl", ["-D", pg.DataDirectory, "-l", pg.LogFile, "-w", "-t", "60", "-o", options, "start"], ct);
                break;
            }
            catch (InvalidOperationException) when (ephemeral && attempt < 3)
            {
                // The port was taken between probing and binding: try another.
                pg = new LocalPostgres(root, FreePort(), ephemeral, bin);
                options = System.Text.RegularExpressions.Regex.Replace(options, @"-p \d+", $"-p {pg.Port}");
            }
        }
        if (ephemeral)
        {
            var started = pg;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => started.StopAsync().AsTask().GetAwaiter().GetResult();
            ExitReaper.Register(
                """
                pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)
                # Only if that pid is still this cluster's server: PIDs are reused.
                if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$1/data" ]; then
                  if [ "$3" = root ]; then runuser -u postgres -- "$2" -D "$1/data" -m immediate stop; else "$2" -D "$1/data" -m immediate stop; fi
                fi
                rm -rf "$1"
                """,
                root, Path.Combine(bin, "pg_ctl"), IsRoot ? "root" : "user");
        }
        return pg;
    }

    private async Task<bool> IsRunningAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return false;
        }
        var (code, _) = await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "status"], IsRoot, ct);
        return code == 0;
    }

    /// <summary>Creates a database owned by the superuser and the non-owner app role that RLS applies to.</summary>
    public async Task CreateDatabaseAsync(string database, string appRole, string appPassword, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", conn))
        {
            exists.Parameters.AddWithValue("d", database);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", conn);
                await create.ExecuteNonQueryAsync(ct);
            }
        }
        await using var role = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{appRole}') THEN
                CREATE ROLE "{appRole}" LOGIN PASSWORD '{appPassword.Replace("'", "''", StringComparison.Ordinal)}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
              END IF;
            END $$;
            """, conn);
        await role.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask StopAsync()
    {
        if (!Directory.Exists(DataDirectory))
        {
            return;
        }
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], IsRoot, CancellationToken.None);
        }
        catch (Exception) when (_ephemeral)
        {
        }
        if (_ephemeral)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ephemeral)
        {
            await StopAsync();
        }
    }

    private async Task RunServerToolAsync(string tool, string[] args, CancellationToken ct)
    {
        var (code, output) = await RunAsync(Path.Combine(_bin, tool), args, IsRoot, ct);
        if (code != 0)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, ct) : "";
            throw new InvalidOperationException($"{tool} failed ({code}): {output}\n{log}");
        }
    }

    private async Task<(int Code, string Output)> RunAsync(string file, string[] args, bool asPostgres, CancellationToken ct)
    {
        var psi = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : file,
            WorkingDirectory = _root,
            // pg_ctl start leaves the server holding inherited pipes; its output goes to the log file instead.
            RedirectStandardOutput = !args.Contains("start"),
            RedirectStandardError = !args.Contains("start"),
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        if (!psi.RedirectStandardOutput)
        {
            await p.WaitForExitAsync(ct);
            return (p.ExitCode, "");
        }
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await stdout + await stderr);
    }

    private static void RunChecked(string file, string[] args, string cwd)
    {
        var psi = new ProcessStartInfo { FileName = file, WorkingDirectory = cwd, UseShellExecute = false };
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

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin")));
        }
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } pgBin)
        {
            candidates.Add(pgBin);
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) were not found: install PostgreSQL 15+ or set PG_BIN.");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
