namespace QuantumEdge.Ledger.LiteDb;

/// <summary>The files a ledger keeps in its data directory.</summary>
internal sealed record LedgerPaths(string DataDirectory)
{
    public const string DatabaseFileName = "ledger.db";

    /// <summary>LiteDB's own name for the log of <c>ledger.db</c>, so tools opening the file see it.</summary>
    public const string LogFileName = "ledger-log.db";

    public const string HeadFileName = "ledger.head";
    public const string LockFileName = "ledger.lock";

    public string Database => Path.Combine(DataDirectory, DatabaseFileName);
    public string Log => Path.Combine(DataDirectory, LogFileName);
    public string Head => Path.Combine(DataDirectory, HeadFileName);
    public string Lock => Path.Combine(DataDirectory, LockFileName);
    public string DefaultKeysDirectory => Crypto.NodeIdentity.GeneratedKeyDirectory(DataDirectory);
}
