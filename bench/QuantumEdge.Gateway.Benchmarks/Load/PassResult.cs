using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Gateway.Benchmarks.Load;

/// <summary>What one pass measured.</summary>
/// <param name="Latency">Full response time, or time to first byte for a streaming pass.</param>
/// <param name="Total">Streaming only: time to the end of the stream.</param>
/// <param name="ScheduleLag">Open loop only: how late each request left against its planned arrival time.</param>
internal sealed record PassResult(
    string Name,
    long Sent,
    long Ok,
    long Failed,
    string? FirstError,
    TimeSpan Elapsed,
    LatencyDistribution Latency,
    LatencyDistribution Total,
    LatencyDistribution ScheduleLag)
{
    /// <summary>Closed loop only: the whole process's CPU time and allocation per request (load generator, simulator and proxy together).</summary>
    public PassCost? Cost { get; init; }

    /// <summary>GC pauses and process stalls seen while the pass ran.</summary>
    public StallSummary? Stalls { get; init; }

    /// <summary>Successful responses per second over the pass.</summary>
    public double Throughput => Elapsed.TotalSeconds > 0 ? Ok / Elapsed.TotalSeconds : 0;
}
