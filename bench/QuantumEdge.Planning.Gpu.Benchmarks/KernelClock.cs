using System.Diagnostics;
using ILGPU.Runtime;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Times a device step: one warm-up, one timed step to size the run, then as many steps as fill
/// the target time, synchronised once at the end so launch latency overlaps as it does in a solve.
/// </summary>
internal static class KernelClock
{
    public static (long Steps, double Seconds) Time(Accelerator accelerator, Action step, TimeSpan target)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(step);
        step();
        accelerator.Synchronize();
        var started = Stopwatch.GetTimestamp();
        step();
        accelerator.Synchronize();
        var one = Math.Max(1e-7, Stopwatch.GetElapsedTime(started).TotalSeconds);
        var steps = (long)Math.Clamp(target.TotalSeconds / one, 1, 100_000);
        started = Stopwatch.GetTimestamp();
        for (var k = 0L; k < steps; k++)
        {
            step();
        }

        accelerator.Synchronize();
        return (steps, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
