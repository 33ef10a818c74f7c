using System.Diagnostics;

namespace WrkCopilot.Hosting;

/// <summary>
/// Runs a cleanup once this process is gone, however it ends: a test host is killed before its exit handlers
/// finish, which would leave throwaway servers and their data behind. The reaper is a detached shell polling
/// <c>/proc/&lt;pid&gt;</c>; it does nothing where there is no <c>/proc</c> (the start-up sweeps still apply).
/// </summary>
public static class ExitReaper
{
    /// <param name="script">sh commands run after this process exits; <c>$1</c>.. are <paramref name="args"/>.</param>
    public static void Register(string script, params string[] args)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/sh"))
        {
            return;
        }
        var setsid = File.Exists("/usr/bin/setsid");
        var psi = new ProcessStartInfo(setsid ? "/usr/bin/setsid" : "/bin/sh")
        {
            UseShellExecute = false,
            // Never hold the test host's own stdout/stderr open: the runner waits for them to close.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (setsid)
        {
            psi.ArgumentList.Add("/bin/sh");
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(
            $"""
            exec </dev/null >/dev/null 2>&1
            owner="$0"
            while [ -d "/proc/$owner" ]; do sleep 1; done
            {script}
            """);
        psi.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var _ = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Best effort: the next run's sweep removes what this one leaves.
        }
    }
}
