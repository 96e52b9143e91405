namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// The <c>storage</c> block: where the ledger (privacy spends and the audit chain) and the node's
/// identity keys live, and how the ledger commits.
/// </summary>
public sealed record StorageSettings
{
    /// <summary>The ledger engines <c>storage.backend</c> chooses between.</summary>
    public static readonly string[] Backends = ["litedb", "postgresql"];

    /// <summary>
    /// <c>litedb</c> (default): the embedded file under <see cref="LedgerDir"/>, one node per ledger;
    /// <c>postgresql</c>: one database shared by several replicas (<see cref="PostgreSql"/>).
    /// </summary>
    public string Backend { get; init; } = "litedb";
    /// <summary>The <c>storage.postgresql</c> block (used with <c>backend: postgresql</c>).</summary>
    public PostgreSqlSettings PostgreSql { get; init; } = new();
    /// <summary>True when the ledger is the shared PostgreSQL database.</summary>
    public bool IsPostgreSql => Backend == "postgresql";
    /// <summary>Ledger directory; default <c>&lt;node.data_dir&gt;/ledger</c>.</summary>
    public string? LedgerDir { get; init; }
    /// <summary>
    /// Directory holding <c>quantum_private.pem</c> (from <c>quantumedge keygen</c>). When unset, a key
    /// is created under the ledger directory on first start, with a warning.
    /// </summary>
    public string? NodeKeyDir { get; init; }
    /// <summary>Most operations applied in one group commit (one fsync).</summary>
    public int GroupCommitMaxBatch { get; init; } = 4096;
    /// <summary>
    /// Milliseconds the ledger's writer holds a group of only outcome records (writes nobody waits on)
    /// for more before committing it; a charge or any other awaited write commits it at once. 0: no linger.
    /// </summary>
    public int AuditCommitLingerMs { get; init; } = (int)QuantumEdge.Ledger.LedgerOptions.DefaultDeferredCommitLinger.TotalMilliseconds;
    /// <summary>Argon2id memory for deriving the ledger keys from MASTER_KEY (new stores only).</summary>
    public int KdfMemoryKib { get; init; } = 19456;
    public int KdfPasses { get; init; } = 2;
    /// <summary>How often retention pruning runs.</summary>
    public int RetentionIntervalHours { get; init; } = 24;

    public string ResolveLedgerDir(NodeSettings node) => LedgerDir ?? Path.Combine(node.DataDir, "ledger");

    /// <summary>The ledger's directory on this machine, or null when the ledger is the PostgreSQL database.</summary>
    public string? LocalLedgerDir(NodeSettings node) => IsPostgreSql ? null : ResolveLedgerDir(node);

    internal static StorageSettings Read(YamlSection s)
    {
        var d = new StorageSettings();
        var backend = s.Choice("backend", d.Backend, Backends);
        var result = new StorageSettings
        {
            Backend = backend,
            PostgreSql = PostgreSqlSettings.Read(s.Section("postgresql"), backend == "postgresql"),
            LedgerDir = s.OptionalString("ledger_dir"),
            NodeKeyDir = s.OptionalString("node_key_dir"),
            GroupCommitMaxBatch = s.Int("group_commit_max_batch", d.GroupCommitMaxBatch, 1, 1_000_000),
            AuditCommitLingerMs = s.Int("audit_commit_linger_ms", d.AuditCommitLingerMs, 0, 1000),
            KdfMemoryKib = s.Int("kdf_memory_kib", d.KdfMemoryKib, 8192, 4 * 1024 * 1024),
            KdfPasses = s.Int("kdf_passes", d.KdfPasses, 1, 100),
            RetentionIntervalHours = s.Int("retention_interval_hours", d.RetentionIntervalHours, 1, 24 * 365),
        };
        s.RejectUnknownKeys();
        if (result.LedgerDir is { } ledgerDir)
        {
            DirectoryPath.Check(s.KeyPath("ledger_dir"), ledgerDir);
        }

        if (result.NodeKeyDir is { } keyDir)
        {
            DirectoryPath.Check(s.KeyPath("node_key_dir"), keyDir);
        }

        if (result.IsPostgreSql && result.NodeKeyDir is null)
        {
            // A generated key would differ per replica, and the shared ledger refuses a second key.
            throw new ConfigurationException(s.KeyPath("node_key_dir"),
                "is required with backend: postgresql: every replica signs its chain with the same node key (quantumedge keygen --output-dir DIR, shared by the replicas)");
        }

        return result;
    }
}
