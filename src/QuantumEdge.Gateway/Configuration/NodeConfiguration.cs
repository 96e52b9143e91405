namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The whole effective configuration of a node: the YAML file (seed blocks plus the node's own
/// blocks) with defaults filled in and the deployment guide's environment variables applied.
/// </summary>
public sealed record NodeConfiguration
{
    /// <summary>Where the configuration came from (a path, or "embedded development config").</summary>
    public string Source { get; init; } = "defaults";
    public NodeSettings Node { get; init; } = new();
    public ServerSettings Server { get; init; } = new();
    public AuthSettings Auth { get; init; } = new();
    public IReadOnlyList<BackendSettings> Backends { get; init; } = [];
    public LoggingSettings Logging { get; init; } = new();
    public PrivacySettings Privacy { get; init; } = new();
    public SecuritySettings Security { get; init; } = new();
    public QuantumPlanningSettings QuantumPlanning { get; init; } = new();
    public PerformanceSettings Performance { get; init; } = new();
    public ResourceSettings Resources { get; init; } = new();
    public ComplianceSettings Compliance { get; init; } = new();
    public StorageSettings Storage { get; init; } = new();
    public FederationSettings Federation { get; init; } = new();
    public BatchSettings Batch { get; init; } = new();
    /// <summary>From <c>MASTER_KEY</c> only.</summary>
    public string? MasterKey { get; init; }
    /// <summary>
    /// The PostgreSQL ledger's connection string, from the variable <c>storage.postgresql.connection_string_env</c>
    /// names (null with the LiteDB ledger or when the variable is unset or empty).
    /// </summary>
    public string? LedgerConnectionString { get; init; }
}
