namespace QuantumEdge.Ledger.Budgets;

/// <summary>An admitted charge that was not refunded, on one replica's audit chain of a shared ledger.</summary>
/// <param name="Chain">The replica id whose chain holds the charge.</param>
/// <param name="Seq">The charge's seq on that chain.</param>
/// <param name="RequestId">The charged request's id.</param>
/// <param name="Epsilon">The ε it charged.</param>
public sealed record ReplicaCharge(string Chain, long Seq, string RequestId, double Epsilon);
