namespace QuantumEdge.Ledger.Budgets;

/// <summary>
/// Outcome of an admin's budget reset: what the user had spent on the budget day before it. Zero
/// queries means the user had spent nothing that day (or the name was mistyped): the reset changed
/// nothing, though it is audited all the same.
/// </summary>
/// <param name="AuditSeq">Seq of the reset's audit record.</param>
/// <param name="DayKey">The budget day reset (the current one in the policy's time zone).</param>
/// <param name="QueriesReset">Charged queries the user had that day before the reset.</param>
/// <param name="EpsilonReleased">Spend given back, in ε.</param>
public readonly record struct BudgetReset(long AuditSeq, string DayKey, long QueriesReset, double EpsilonReleased);
