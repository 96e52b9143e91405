namespace QuantumEdge.Ledger;

/// <summary>Diagnostics of an engine that batches writes into shared durable commits (group commit).</summary>
/// <param name="Commits">Durable commits so far (each one fsync round or transaction).</param>
/// <param name="Operations">Operations those commits applied.</param>
public readonly record struct LedgerCommitStats(long Commits, long Operations);
