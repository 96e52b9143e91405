using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Ledger.PostgreSql;
using QuantumEdge.Privacy;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// Opens the node's ledger from its configuration, turning key problems into configuration errors.
/// The one place that picks the storage engine behind <see cref="IPrivacyLedger"/>: the embedded
/// LiteDB file (default), or the PostgreSQL database several replicas share (<c>storage.backend: postgresql</c>).
/// </summary>
public static class LedgerFactory
{
    public static LedgerOptions Options(NodeConfiguration c) => new()
    {
        DataDirectory = c.Storage.ResolveLedgerDir(c.Node),
        MasterKey = c.MasterKey,
        Policy = PolicyOptions(c.Privacy),
        BudgetTimeZone = c.Privacy.BudgetTimeZone,
        NodeKeyDirectory = c.Storage.NodeKeyDir,
        Kdf = new KdfParameters(c.Storage.KdfMemoryKib, c.Storage.KdfPasses),
        AuditRetentionDays = c.Compliance.AuditRetentionDays,
        DataRetentionDays = c.Compliance.DataRetentionDays,
        MaxBatchSize = c.Storage.GroupCommitMaxBatch,
        DeferredCommitLinger = TimeSpan.FromMilliseconds(c.Storage.AuditCommitLingerMs),
        ReplicaId = c.Storage.IsPostgreSql ? c.Storage.PostgreSql.ResolveReplicaId() : null,
    };

    public static PrivacyPolicyOptions PolicyOptions(PrivacySettings p) => new()
    {
        EpsilonPerQuery = p.EpsilonPerQuery,
        Delta = p.Delta,
        MaxBudgetPerUser = p.MaxBudgetPerUser,
        Composition = p.CompositionMethod == "basic" ? CompositionMethod.Basic : CompositionMethod.Rdp,
        DepartmentBudgets = p.DepartmentBudgets,
    };

    /// <summary>
    /// Opens the ledger. A missing or wrong <c>MASTER_KEY</c> is a <see cref="ConfigurationException"/>
    /// (exit 2); a data directory held by a running node surfaces as <see cref="LedgerLockedException"/>.
    /// </summary>
    public static IPrivacyLedger Open(NodeConfiguration c) => Open(c, Options(c));

    /// <summary>
    /// Opens the ledger for a verifier or reader (<c>audit verify</c>, <c>audit export</c>,
    /// <c>privacy report</c>): nothing on disk is created or changed, and a missing ledger is a
    /// <see cref="LedgerMissingException"/> instead of a new empty one.
    /// </summary>
    public static IPrivacyLedger OpenForReading(NodeConfiguration c) => Open(c, Options(c) with { ReadOnly = true });

    /// <summary>
    /// Restores a backup taken by <see cref="IPrivacyLedger.BackupAsync"/> into the configured ledger
    /// (the node stopped), verifying it whole before anything is replaced.
    /// </summary>
    /// <remarks>The PostgreSQL ledger is restored with <c>pg_restore</c>, not by the node: this throws a
    /// <see cref="LedgerException"/> giving the procedure.</remarks>
    public static Task<RestoreResult> RestoreAsync(string backupDirectory, NodeConfiguration c) =>
        c.Storage.IsPostgreSql
            ? Task.FromException<RestoreResult>(new LedgerException(PostgreSqlPrivacyLedger.BackupProcedure))
            : LiteDbPrivacyLedger.RestoreAsync(backupDirectory, Options(c));

    private static IPrivacyLedger Open(NodeConfiguration c, LedgerOptions options)
    {
        try
        {
            if (!c.Storage.IsPostgreSql)
            {
                return LiteDbPrivacyLedger.Open(options);
            }

            var variable = c.Storage.PostgreSql.ConnectionStringEnv ?? "storage.postgresql.connection_string_env";
            var connection = c.LedgerConnectionString
                ?? throw new ConfigurationException(variable, "is not set or empty; storage.backend postgresql reads the ledger database's connection string from it");
            return PostgreSqlPrivacyLedger.Open(options, connection);
        }
        catch (MasterKeyMissingException e)
        {
            throw new ConfigurationException("MASTER_KEY", e.Message);
        }
        catch (MasterKeyMismatchException e)
        {
            throw new ConfigurationException("MASTER_KEY", e.Message);
        }
        catch (MasterKeyUnusableException e)
        {
            throw new ConfigurationException("MASTER_KEY", e.Message);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new ConfigurationException("privacy", e.Message);
        }
    }
}
