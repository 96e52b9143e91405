namespace QuantumEdge.Node.Compliance;

/// <summary>
/// One notification for the compliance team: what happened (<c>lockdown_on</c>, <c>halt</c>,
/// <c>audit_verification_failed</c>, <c>ledger_storage_failure</c>, …), how severe, and when. Never patient data; <see cref="Message"/>
/// is only the text an administrator typed for <c>admin notify-compliance</c>.
/// </summary>
internal sealed record ComplianceEvent(string Event, string Severity, DateTimeOffset Time, string? Message = null)
{
    public static readonly string[] Severities = ["info", "warning", "critical"];
}
