namespace QuantumEdge.Ledger.Audit;

/// <summary>The decision strings written to audit records.</summary>
public static class AuditDecisions
{
    public const string Admitted = "admitted";
    public const string RefusedInsufficientBudget = "refused:insufficient_privacy_budget";
    public const string RefusedForbidden = "refused:forbidden";
    public const string RefusedUnauthenticated = "refused:unauthenticated";
    /// <summary>A count of unauthenticated refusals from one address that got no record of their own (past the allowance).</summary>
    public const string RefusedUnauthenticatedSummary = "refused:unauthenticated_summary";
    public const string RefusedClassification = "refused:classification";
    public const string Refunded = "refunded";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string AdminBudgetReset = "admin:budget_reset";
    /// <summary>GDPR erasure of a user's budget rows (compliance.enable_gdpr_compliance).</summary>
    public const string AdminDataSubjectErasure = "admin:gdpr_erasure";
    /// <summary>GDPR data-subject export: who read what the node holds about a user.</summary>
    public const string AdminDataSubjectExport = "admin:gdpr_export";
    public const string AdminLockdownOn = "admin:lockdown_on";
    public const string AdminLockdownOff = "admin:lockdown_off";
    public const string AdminHalt = "admin:halt";
    public const string AdminResume = "admin:resume";
    public const string AdminRevokeTokens = "admin:revoke_tokens";
    public const string EmergencyStateDistrusted = "admin:emergency_state_distrusted";
    /// <summary>An emergency action audited (its record is the related seq) but then not made: its state could not be persisted.</summary>
    public const string AdminActionNotApplied = "admin:not_applied";

    /// <summary>An emergency action asked for while already in effect (a second halt): nothing changed; the detail names the action.</summary>
    public const string AdminActionUnchanged = "admin:unchanged";

    public static bool IsRefusal(string decision) => decision.StartsWith("refused:", StringComparison.Ordinal);
}
