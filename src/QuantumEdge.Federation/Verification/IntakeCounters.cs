using System.Collections.Concurrent;

namespace QuantumEdge.Federation.Verification;

/// <summary>Counts of intake outcomes for metrics: accepted, and refused by reason code.</summary>
public sealed class IntakeCounters
{
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private long _accepted;

    public long Accepted => Interlocked.Read(ref _accepted);

    public IReadOnlyDictionary<string, long> RefusedByReason => new Dictionary<string, long>(_refused, StringComparer.Ordinal);

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void CountRefused(string reason) => _refused.AddOrUpdate(reason, 1, static (_, n) => n + 1);
}
