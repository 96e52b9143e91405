using System.Globalization;
using System.Runtime.InteropServices;

namespace QuantumEdge.Node.Hosting.Reload;

/// <summary>
/// SIGHUP as the node inherits it. A process started under <c>nohup</c>, or by a supervisor that ignores
/// SIGHUP, starts with it ignored, and the .NET runtime then installs no handler for it: <c>systemctl
/// reload</c> or <c>kill -HUP</c> would be dropped without a line. Like nginx and PostgreSQL, the node
/// reloads on SIGHUP whatever it inherited, so an ignored SIGHUP is put back to its default before the
/// reload handler is registered.
/// </summary>
internal static class InheritedHangup
{
    private const int SigHup = 1;
    private const nint SigDfl = 0;

    /// <summary>Un-ignores an inherited ignored SIGHUP (Linux); returns whether it was ignored.</summary>
    public static bool Unignore()
    {
        if (!OperatingSystem.IsLinux() || !IgnoredNow())
        {
            return false;
        }

        // Only an ignored disposition is replaced: a handler already there (the runtime's) keeps its flags.
        Signal(SigHup, SigDfl);
        return true;
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
