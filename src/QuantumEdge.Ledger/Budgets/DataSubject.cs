using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Budgets;

/// <summary>
/// What the ledger holds about one user (GDPR data-subject access): their pseudonym (the keyed hash every budget row and
/// audit record carries), their budget rows, and the metadata of the audit records about them — never prompt text,
/// which the ledger does not hold. <see cref="Truncated"/> is true when more records exist than were asked for.
/// </summary>
public sealed record DataSubjectExport(string Pseudonym, IReadOnlyList<UserBudget> BudgetRows, IReadOnlyList<AuditRecord> AuditRecords, bool Truncated);

/// <summary>The outcome of erasing one user's budget rows: how many went, which days, and the audit record that says so.</summary>
public sealed record DataSubjectErasure(string Pseudonym, int BudgetRowsErased, IReadOnlyList<string> Days, long AuditSeq);
