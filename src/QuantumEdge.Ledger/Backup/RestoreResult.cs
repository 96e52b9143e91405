namespace QuantumEdge.Ledger.Backup;

/// <summary>What a restore put in place.</summary>
/// <param name="LastSeq">Last audit seq of the restored chain.</param>
/// <param name="BackupCreatedAt">When the backup was taken.</param>
public readonly record struct RestoreResult(long LastSeq, DateTimeOffset BackupCreatedAt);
