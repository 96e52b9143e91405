using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Privacy;

namespace QuantumEdge.Gateway.Privacy;

/// <summary>
/// Opens the node's ledger from its configuration, turning key problems into configuration errors.
/// The one place that picks the storage engine behind <see cref="IPrivacyLedger"/> (LiteDB today).
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
    public static IPrivacyLedger Open(NodeConfiguration c) => Open(Options(c));

    /// <summary>
    /// Opens the ledger for a verifier or reader (<c>audit verify</c>, <c>audit export</c>,
    /// <c>privacy report</c>): nothing on disk is created or changed, and a missing ledger is a
    /// <see cref="LedgerMissingException"/> instead of a new empty one.
    /// </summary>
    public static IPrivacyLedger OpenForReading(NodeConfiguration c) => Open(Options(c) with { ReadOnly = true });

    /// <summary>
    /// Restores a backup taken by <see cref="IPrivacyLedger.BackupAsync"/> into the configured ledger
    /// (the node stopped), verifying it whole before anything is replaced.
    /// </summary>
    public static Task<RestoreResult> RestoreAsync(string backupDirectory, NodeConfiguration c) =>
        LiteDbPrivacyLedger.RestoreAsync(backupDirectory, Options(c));

    private static LiteDbPrivacyLedger Open(LedgerOptions options)
    {
        try
        {
            return LiteDbPrivacyLedger.Open(options);
        }
        catch (MasterKeyMissingException e)
        {
            throw new ConfigurationException("MASTER_KEY", e.Message);
        }
        catch (MasterKeyMismatchException e)
        {
            throw new ConfigurationException("MASTER_KEY", e.Message);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new ConfigurationException("privacy", e.Message);
        }
    }
}
