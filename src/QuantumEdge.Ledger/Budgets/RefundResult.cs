namespace QuantumEdge.Ledger.Budgets;

/// <summary>Outcome of releasing a charge whose request got no answer.</summary>
/// <param name="Refunded">False when the charge does not exist, was refused, or was already refunded.</param>
/// <param name="AuditSeq">Seq of the refund's audit record (0 when nothing was refunded).</param>
/// <param name="EpsilonReleased">Spend given back, in ε.</param>
/// <param name="Reason">Why nothing was refunded, or "refunded".</param>
public readonly record struct RefundResult(bool Refunded, long AuditSeq, double EpsilonReleased, string Reason);
