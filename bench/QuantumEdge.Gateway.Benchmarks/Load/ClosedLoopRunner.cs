using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>
/// Saturation: <c>workers</c> callers, each sending its next request as soon as the previous one
/// is answered, for a fixed time. The completed count over the time is the maximum throughput.
/// </summary>
internal static class ClosedLoopRunner
{
    public static async Task<PassResult> RunAsync(LoadTarget target, int workers, TimeSpan duration, int expectedRps = 50_000)
    {
        ArgumentNullException.ThrowIfNull(target);
        var counters = new PassCounters();
        var capacity = (int)Math.Min(int.MaxValue, Math.Max(1024, expectedRps * duration.TotalSeconds));
        var latency = new LatencyRecorder(capacity);
        var total = new LatencyRecorder(target.Requests.Streaming ? capacity : 1);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        using var stalls = new StallWatch();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long sequence = -1;
        var loops = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await ChatExchange.RunAsync(target, Interlocked.Increment(ref sequence), counters, latency, total).ConfigureAwait(false);
            }
        })).ToArray();
        await Task.WhenAll(loops).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        return new PassResult(target.Name, counters.Sent, counters.Ok, counters.Failed, counters.FirstError, elapsed,
            latency.Snapshot(), total.Snapshot(), LatencyDistribution.Empty)
        {
            Stalls = stalls.Stop(),
            Cost = counters.Sent > 0 ? new PassCost(cpu.TotalMicroseconds / counters.Sent, (double)allocated / counters.Sent) : null,
        };
    }
}
