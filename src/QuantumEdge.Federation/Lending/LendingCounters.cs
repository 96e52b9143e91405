using System.Collections.Concurrent;

namespace QuantumEdge.Federation.Lending;

/// <summary>
/// Lending figures of this node, both roles: as lender, requests served to each peer and
/// refusals by reason; as borrower, requests a peer served for it and refusals it got (or made
/// itself) by reason. The node mirrors them into Prometheus. Thread-safe.
/// </summary>
public sealed class LendingCounters
{
    private readonly ConcurrentDictionary<string, long> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _borrowed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _borrowRefused = new(StringComparer.Ordinal);

    /// <summary>Lender: authenticated requests handed to this node's backends, per borrowing peer.</summary>
    public IReadOnlyDictionary<string, long> ServedByPeer => _served;

    /// <summary>Lender: refused lending requests by reason.</summary>
    public IReadOnlyDictionary<string, long> RefusedByReason => _refused;

    /// <summary>Borrower: requests a peer took on for this node, per lending peer.</summary>
    public IReadOnlyDictionary<string, long> BorrowedByPeer => _borrowed;

    /// <summary>Borrower: lending requests refused (by the lender, or by this node's own hard rule) by reason.</summary>
    public IReadOnlyDictionary<string, long> BorrowRefusedByReason => _borrowRefused;

    public void Served(string peer) => _served.AddOrUpdate(peer, 1, (_, n) => n + 1);

    public void Refused(string reason) => _refused.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void Borrowed(string peer) => _borrowed.AddOrUpdate(peer, 1, (_, n) => n + 1);

    public void BorrowRefused(string reason) => _borrowRefused.AddOrUpdate(reason, 1, (_, n) => n + 1);
}
