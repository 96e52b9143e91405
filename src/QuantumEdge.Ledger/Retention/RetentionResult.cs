namespace QuantumEdge.Ledger.Retention;

/// <summary>What a retention run removed.</summary>
/// <param name="AuditRecordsPruned">Audit records older than audit_retention_days.</param>
/// <param name="BudgetRowsPruned">Budget rows older than data_retention_days.</param>
/// <param name="FirstKeptSeq">The chain's new first seq (the signed anchor).</param>
/// <param name="AuditSeq">Seq of the admin record that audits this run.</param>
public readonly record struct RetentionResult(long AuditRecordsPruned, long BudgetRowsPruned, long FirstKeptSeq, long AuditSeq);
