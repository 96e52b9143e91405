using System.Globalization;
using System.Runtime.InteropServices;

namespace QuantumEdge.Node.Hosting.Reload;

/// <summary>
/// SIGHUP as the node inherits it. A process started under <c>nohup</c>, or by a supervisor that ignores
/// SIGHUP, starts with it ignored, and the .NET runtime then installs no handler for it: <c>systemctl
/// reload</c> or <c>kill -HUP</c> would be dropped without a line. Like nginx and PostgreSQL, the node
/// reloads on SIGHUP whatever it inherited, so an ignored SIGHUP is put back to its default before the
/// reload handler is registered. Disposed after that handler, it puts the "ignore" back, so that a hangup
/// while the node shuts down does not end it before its ledger is closed.
/// </summary>
internal sealed class InheritedHangup : IDisposable
{
    private const int SigHup = 1;
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    private InheritedHangup(bool wasIgnored) => WasIgnored = wasIgnored;

    /// <summary>Whether SIGHUP was ignored when the node started (and is handled now).</summary>
    public bool WasIgnored { get; }

    /// <summary>Un-ignores an inherited ignored SIGHUP (Linux only; elsewhere nothing changes).</summary>
    public static InheritedHangup Unignore()
    {
        if (!OperatingSystem.IsLinux() || !IgnoredNow())
        {
            return new InheritedHangup(false);
        }

        // Only an ignored disposition is replaced: a handler already there (the runtime's) keeps its flags.
        Signal(SigHup, SigDfl);
        return new InheritedHangup(true);
    }

    /// <summary>Ignores SIGHUP again if it was ignored at the start; call once the reload handler is unregistered.</summary>
    public void Dispose()
    {
        if (WasIgnored)
        {
            Signal(SigHup, SigIgn);
        }
    }

    /// <summary>Whether SIGHUP is ignored in this process, from the kernel's own mask (<c>SigIgn</c> in /proc/self/status).</summary>
    internal static bool IgnoredNow(string statusFile = "/proc/self/status")
    {
        try
        {
            foreach (var line in File.ReadLines(statusFile))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask))
                {
                    return (mask & (1UL << (SigHup - 1))) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc (a sandbox without it): the node starts all the same, as it did before it looked.
        }

        return false;
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint Signal(int signal, nint handler);
}
