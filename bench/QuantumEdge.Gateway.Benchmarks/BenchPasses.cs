namespace QuantumEdge.Gateway.Benchmarks;

/// <summary>The groups of passes a run can be limited to (<c>--passes</c>).</summary>
[Flags]
internal enum BenchPasses
{
    None = 0,
    /// <summary>Open loop at a fixed rate: added latency under load.</summary>
    Open = 1,
    /// <summary>Closed loop with many workers: throughput, CPU and allocation per request.</summary>
    Saturation = 2,
    /// <summary>One connection, one request at a time, repeated: added latency with no queueing.</summary>
    Single = 4,
    /// <summary>Streaming at a fixed rate: time to first byte.</summary>
    Stream = 8,
    All = Open | Saturation | Single | Stream,
}
