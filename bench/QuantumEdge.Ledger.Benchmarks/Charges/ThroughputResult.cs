using QuantumEdge.Benchmarks.Measurement;

namespace QuantumEdge.Ledger.Benchmarks.Charges;

/// <summary>Durable writes done by one run at one concurrency.</summary>
/// <param name="Refused">Charges the ledger refused (should be 0: budgets are big).</param>
/// <param name="Commits">fsync rounds (group commits, or one per write for the naive baseline).</param>
/// <param name="Operations">Ledger operations those commits applied.</param>
/// <param name="BytesWritten">Growth of the files on disk over the run.</param>
public sealed record ThroughputResult(
    int Callers,
    long Writes,
    long Refused,
    TimeSpan Elapsed,
    long Commits,
    long Operations,
    long BytesWritten,
    LatencyDistribution Latency)
{
    public double PerSecond => Elapsed.TotalSeconds > 0 ? Writes / Elapsed.TotalSeconds : 0;

    public double MeanBatch => Commits > 0 ? (double)Operations / Commits : 0;

    public double BytesPerWrite => Writes > 0 ? (double)BytesWritten / Writes : 0;
}
