using QuantumEdge.Federation.Robust;
using QuantumEdge.Gateway.Planning;

namespace QuantumEdge.Node.Federation;

/// <summary>
/// The planner's federation priors: the robust time to first token per model from the peers'
/// latest releases. Recomputed at most once per <see cref="Refresh"/> (the aggregate changes only
/// when a peer's release arrives, every few seconds at most), so the request path reads a snapshot.
/// </summary>
/// <param name="insights">The federation's current robust aggregate (the member's <c>Insights</c>).</param>
/// <param name="clock">The member's clock.</param>
internal sealed class FederationFirstTokenPriors(Func<FederationInsights> insights, TimeProvider clock) : IFirstTokenPriors
{
    /// <summary>The longest a snapshot is used before the aggregate is computed again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private Snapshot? _snapshot;
    private int _refreshing;

    public double? FirstTokenMs(string model)
    {
        var now = clock.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        var stale = snapshot is null || now - snapshot.At >= Refresh || now < snapshot.At;
        // One request recomputes a stale snapshot; the others meanwhile read the previous one.
        if (stale && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            try
            {
                snapshot = Compute(now);
                Volatile.Write(ref _snapshot, snapshot);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        }

        // Only the very first requests, racing the first computation, find no snapshot yet.
        snapshot ??= Compute(now);
        return snapshot.ByModel.TryGetValue(model, out var value) ? value : null;
    }

    private Snapshot Compute(DateTimeOffset now)
    {
        var priors = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var prior in insights().Priors)
        {
            if (prior.TtftP50Ms is > 0 and var ms)
            {
                priors[prior.Model] = ms;
            }
        }

        return new Snapshot(now, priors);
    }

    private sealed record Snapshot(DateTimeOffset At, Dictionary<string, double> ByModel);
}
