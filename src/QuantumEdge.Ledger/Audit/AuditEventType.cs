namespace QuantumEdge.Ledger.Audit;

/// <summary>What produced an audit record.</summary>
public enum AuditEventType
{
    /// <summary>A client request (charge, refusal, outcome, refund).</summary>
    Request = 0,

    /// <summary>An administrator action (budget reset, retention, restore, ...).</summary>
    Admin = 1,
}
