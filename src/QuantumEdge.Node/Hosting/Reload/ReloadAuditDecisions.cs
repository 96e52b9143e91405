namespace QuantumEdge.Node.Hosting.Reload;

/// <summary>The audit decisions of a configuration reload (event type admin).</summary>
internal static class ReloadAuditDecisions
{
    public const string Applied = "admin:config_reload";
    public const string Refused = "admin:config_reload_refused";
}
