using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Budgets;

/// <summary>The durable outcome of a charge: the policy decision and the audit record that holds it.</summary>
/// <param name="Decision">Admitted or refused, with spend before and after.</param>
/// <param name="AuditSeq">Seq of the audit record (pass it to RefundAsync to release the charge).</param>
/// <param name="DayKey">The budget day charged.</param>
/// <param name="RetryAfter">When the budget day rolls over (for a 429's Retry-After).</param>
public readonly record struct ChargeResult(BudgetDecision Decision, long AuditSeq, string DayKey, DateTimeOffset RetryAfter)
{
    public bool Admitted => Decision.Admitted;
}
