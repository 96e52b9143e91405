using System.Diagnostics;

namespace QuantumEdge.Detection.Benchmarks;

/// <summary>
/// Per operation: wall time (p50/p90 over batches), the process's CPU time (mean; on a shared box
/// it is less disturbed than wall time by other processes, which take the CPU away, not add to
/// ours) and bytes allocated on the calling thread.
/// </summary>
internal readonly record struct Measured(double P50Us, double P90Us, double CpuMeanUs, double AllocatedBytes);

internal static class Measure
{
    /// <summary>Runs <paramref name="operation"/> in batches of about 2 ms for <paramref name="seconds"/> after a warm-up long enough for tiered JIT.</summary>
    internal static Measured Run(Action operation, double seconds, int approximateChars)
    {
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < Math.Min(1, seconds / 2))
        {
            operation();
        }

        var perBatch = Math.Max(1, 2_000_000 / Math.Max(approximateChars, 1));
        var wall = new List<double>();
        var before = GC.GetAllocatedBytesForCurrentThread();
        long operations = 0;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perBatch; i++)
            {
                operation();
            }

            wall.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch);
            operations += perBatch;
        }

        var cpuMean = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / operations;
        var allocated = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / operations;
        wall.Sort();
        return new Measured(wall[wall.Count / 2], wall[(int)(wall.Count * 0.9)], cpuMean, allocated);
    }
}
