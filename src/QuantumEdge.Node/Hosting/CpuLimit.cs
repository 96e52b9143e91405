using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>resources.cpu_limit</c> (a Kubernetes CPU quantity: <c>4000m</c>, <c>2</c>, <c>1.5</c>) as the set of cores the process
/// may run on: the lowest ⌈limit⌉ cores of the affinity it was started with (a container's cpuset stays respected), so
/// the node never uses more cores than configured (on Linux every thread's affinity is set, since it is per thread there). Process-wide, so only <c>serve</c> applies it; on macOS, where
/// affinity cannot be set, and beyond 64 cores it leaves the process as it is.
/// </summary>
internal static class CpuLimit
{
    /// <summary>Whole cores for a CPU quantity: 4000m → 4, 1500m → 2, 0.1 → 1.</summary>
    public static int Cores(string quantity)
    {
        var value = quantity.EndsWith('m')
            ? double.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000
            : double.Parse(quantity, CultureInfo.InvariantCulture);
        return Math.Max(1, (int)Math.Ceiling(value));
    }

    /// <summary>The lowest <paramref name="cores"/> set bits of <paramref name="mask"/> (all of it when it has no more).</summary>
    public static ulong Restrict(ulong mask, int cores)
    {
        var kept = 0UL;
        for (var left = cores; left > 0 && mask != 0; left--)
        {
            var lowest = mask & (~mask + 1);
            kept |= lowest;
            mask &= ~lowest;
        }

        return kept;
    }

    /// <summary>Restricts the process to the configured cores; returns how many it may use now (null where affinity is not supported).</summary>
    public static int? Apply(string quantity)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            return null;
        }

        using var process = Process.GetCurrentProcess();
        var current = (ulong)(long)process.ProcessorAffinity;
        var restricted = Restrict(current, Cores(quantity));
        if (restricted != current)
        {
            process.ProcessorAffinity = (nint)(long)restricted;
            if (OperatingSystem.IsLinux())
            {
                // Linux sets affinity per thread and the call above reaches only the main thread; threads inherit
                // their creator's mask, so every thread running now gets it too (twice, for one started meanwhile).
                RestrictAllThreads(restricted);
                RestrictAllThreads(restricted);
            }
        }

        return BitOperations.PopCount(restricted);
    }

    private static void RestrictAllThreads(ulong mask)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                // A thread that exited meanwhile fails with ESRCH: nothing to restrict.
                _ = SchedSetAffinity(tid, sizeof(ulong), ref mask);
            }
        }
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int tid, nint size, ref ulong mask);

    /// <summary>Cores the process may run on now (for the metric), or the processor count where affinity is not supported.</summary>
    public static int Current()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            return Environment.ProcessorCount;
        }

        using var process = Process.GetCurrentProcess();
        return BitOperations.PopCount((ulong)(long)process.ProcessorAffinity);
    }
}
