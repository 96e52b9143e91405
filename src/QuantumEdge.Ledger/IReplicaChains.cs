using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Ledger;

/// <summary>
/// A ledger shared by several replicas, each appending to its own audit chain (the PostgreSQL ledger):
/// charges are found, and refunded, on whichever chain holds them, so a replica taking over another's
/// work (a batch) neither charges a request twice nor refunds a record of its own chain by mistake.
/// </summary>
public interface IReplicaChains
{
    /// <summary>The chain this replica appends to.</summary>
    string ReplicaId { get; }

    /// <summary>
    /// Admitted, unrefunded charges on every chain whose request id starts with <paramref name="requestIdPrefix"/>,
    /// recorded at or after <paramref name="since"/>, oldest first.
    /// </summary>
    Task<IReadOnlyList<ReplicaCharge>> FindUnrefundedChargesAsync(string requestIdPrefix, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases the admitted charge <paramref name="chargeSeq"/> of chain <paramref name="chain"/> (at most once,
    /// whichever replica asks); the refund is audited on this replica's chain, naming the charge's chain.
    /// </summary>
    Task<RefundResult> RefundAsync(string chain, long chargeSeq, string? reason = null, CancellationToken cancellationToken = default);
}
