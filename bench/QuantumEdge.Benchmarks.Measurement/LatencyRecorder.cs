using System.Diagnostics;

namespace QuantumEdge.Benchmarks.Measurement;

/// <summary>
/// Lock-free sink for per-request latencies in milliseconds. Preallocated so that recording
/// allocates nothing while the load runs; samples past the capacity are counted, not kept.
/// </summary>
public sealed class LatencyRecorder(int capacity)
{
    private readonly double[] _samples = new double[Math.Max(1, capacity)];
    private int _next = -1;

    public int Count => Math.Min(Volatile.Read(ref _next) + 1, _samples.Length);

    public int Dropped => Math.Max(0, Volatile.Read(ref _next) + 1 - _samples.Length);

    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void Record(double milliseconds)
    {
        var at = Interlocked.Increment(ref _next);
        if (at < _samples.Length)
        {
            _samples[at] = milliseconds;
        }
    }

    /// <summary>Sorted copy of what was recorded (call after the load has stopped).</summary>
    public LatencyDistribution Snapshot()
    {
        var copy = _samples.AsSpan(0, Count).ToArray();
        Array.Sort(copy);
        return new LatencyDistribution(copy);
    }
}
