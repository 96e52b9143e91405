namespace QuantumEdge.Ledger.Batches;

/// <summary>
/// Where a node keeps its batches' state (the Batch API's batches and their lines) beside the
/// privacy ledger, in the same storage engine: the embedded ledger file, or the PostgreSQL database
/// several replicas share, so that any replica sees every batch. Only state lives here — the owner
/// keyed and encrypted as the ledger keeps user ids, the node's batch details encrypted, per-line
/// status and where each line's answer sits in the output entries file; never prompt or completion text.
/// </summary>
/// <remarks>
/// Contract: a returned task completes only once its write is durable (an acknowledged change
/// survives a crash). Status changes are compare-and-set on <see cref="BatchState.Version"/>; a
/// line that reached a final status never changes again, and the batch's counts follow its lines in
/// the same atomic step. One replica at a time executes a batch, holding its lease.
/// Failures surface as <see cref="LedgerException"/> (an unreachable database as <see cref="LedgerUnavailableException"/>).
/// </remarks>
public interface IBatchStateStore
{
    /// <summary>Stores a new batch (version 1, no lease); a batch with the same id already stored is a <see cref="LedgerException"/>.</summary>
    Task<BatchState> CreateAsync(BatchState batch, CancellationToken cancellationToken = default);

    /// <summary>The batch, or null when there is none with that id.</summary>
    Task<BatchState?> GetAsync(string batchId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every batch, or only those of <paramref name="ownerSubject"/>, or only those not in a final
    /// status (<paramref name="unfinishedOnly"/>).
    /// </summary>
    Task<IReadOnlyList<BatchState>> ListAsync(string? ownerSubject = null, bool unfinishedOnly = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the batch's status, total, expiry and details when its stored version is still
    /// <paramref name="batch"/>'s <see cref="BatchState.Version"/>; returns the stored state (version
    /// one higher), or null when another writer changed the batch first (read it again and decide again).
    /// </summary>
    Task<BatchState?> UpdateAsync(BatchState batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a line's state for the holder of the batch's lease. Returns false, changing nothing,
    /// when the line already has a final status or <paramref name="leaseHolder"/> does not hold the
    /// lease (another replica took the batch over). A line reaching done or failed counts in the
    /// batch's <see cref="BatchState.Completed"/> or <see cref="BatchState.Failed"/> in the same step.
    /// </summary>
    Task<bool> RecordLineAsync(string batchId, string leaseHolder, BatchLineState line, CancellationToken cancellationToken = default);

    /// <summary>The lines that have a recorded state (a line never recorded is queued), in index order.</summary>
    Task<IReadOnlyList<BatchLineState>> ReadLinesAsync(string batchId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes or renews the batch's execution lease for <paramref name="holder"/> until now +
    /// <paramref name="duration"/>: true when it was free, expired or already <paramref name="holder"/>'s.
    /// </summary>
    Task<bool> TryLeaseAsync(string batchId, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up, when <paramref name="holder"/> holds it.</summary>
    Task ReleaseLeaseAsync(string batchId, string holder, CancellationToken cancellationToken = default);
}
