using System.Security.Cryptography;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.Backup;

/// <summary>
/// Online backup and offline restore. A backup runs on the writer thread between group commits,
/// so the copied database, head file and manifest describe one consistent state.
/// </summary>
public static class LedgerBackup
{
    private const string StagingDirectoryName = ".restore-staging";

    internal static BackupManifest Write(LedgerStore store, string directory)
    {
        Directory.CreateDirectory(directory);
        store.MakeDurable();
        var manifestPath = Path.Combine(directory, BackupManifest.FileName);
        File.Delete(manifestPath);
        var files = new List<BackupFile>
        {
            CopyAndHash(store.Paths.Database, Path.Combine(directory, LedgerPaths.DatabaseFileName)),
            CopyAndHash(store.Paths.Head, Path.Combine(directory, LedgerPaths.HeadFileName)),
        };
        store.Identity.SavePublic(directory);
        files.Add(Hash(Path.Combine(directory, NodeIdentity.PublicKeyFileName)));
        var manifest = new BackupManifest
        {
            CreatedAt = store.Now(),
            LastSeq = store.LastSeq,
            LastHash = Convert.ToHexStringLower(store.LastHash),
            NodeFingerprint = store.Identity.Fingerprint,
            Files = files,
        };

        // The manifest goes last: a backup without one is incomplete and is refused by Restore.
        DurableFiles.WriteAtomically(manifestPath, manifest.ToJson());
        return manifest;
    }

    /// <summary>
    /// Restores a backup into <paramref name="target"/>'s data directory. Checks the manifest hashes,
    /// opens a staged copy with the target's MASTER_KEY and node key and verifies the whole audit
    /// chain BEFORE replacing anything. Refuses while a node holds the data directory.
    /// </summary>
    public static async Task<RestoreResult> RestoreAsync(string backupDirectory, LedgerOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var manifestPath = Path.Combine(backupDirectory, BackupManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new LedgerCorruptException($"'{backupDirectory}' has no {BackupManifest.FileName}: not a complete ledger backup.");
        }

        var manifest = BackupManifest.Parse(await File.ReadAllBytesAsync(manifestPath).ConfigureAwait(false));
        foreach (var name in new[] { LedgerPaths.DatabaseFileName, LedgerPaths.HeadFileName })
        {
            if (!manifest.Files.Any(f => f.Name == name))
            {
                throw new LedgerCorruptException($"The backup manifest does not list {name}.");
            }
        }

        foreach (var file in manifest.Files)
        {
            if (file.Name.Contains('/', StringComparison.Ordinal) || file.Name.Contains('\\', StringComparison.Ordinal))
            {
                throw new LedgerCorruptException($"The backup manifest names an invalid file '{file.Name}'.");
            }

            var actual = Hash(Path.Combine(backupDirectory, file.Name));
            if (actual.Length != file.Length || actual.Sha256 != file.Sha256)
            {
                throw new LedgerCorruptException($"Backup file '{file.Name}' does not match its manifest SHA-256; the backup is corrupt.");
            }
        }

        var paths = new LedgerPaths(Path.GetFullPath(target.DataDirectory));
        Directory.CreateDirectory(paths.DataDirectory);
        using var directoryLock = DataDirectoryLock.Acquire(paths.Lock);
        var staging = Path.Combine(paths.DataDirectory, StagingDirectoryName);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        try
        {
            File.Copy(Path.Combine(backupDirectory, LedgerPaths.DatabaseFileName), Path.Combine(staging, LedgerPaths.DatabaseFileName));
            File.Copy(Path.Combine(backupDirectory, LedgerPaths.HeadFileName), Path.Combine(staging, LedgerPaths.HeadFileName));
            var identity = target.NodeIdentity ?? NodeIdentity.Load(target.NodeKeyDirectory ?? paths.DefaultKeysDirectory);
            try
            {
                var staged = target with { DataDirectory = staging, NodeIdentity = identity };
                using var ledger = PrivacyLedger.Open(staged);
                var verification = await ledger.VerifyAsync().ConfigureAwait(false);
                if (!verification.IsValid)
                {
                    throw new LedgerCorruptException($"The backup's audit chain does not verify: {verification}");
                }

                if (verification.LastSeq != manifest.LastSeq)
                {
                    throw new LedgerCorruptException(
                        $"The backup's audit chain ends at seq {verification.LastSeq}, but its manifest says {manifest.LastSeq}.");
                }
            }
            finally
            {
                if (target.NodeIdentity is null)
                {
                    identity.Dispose();
                }
            }

            File.Delete(paths.Log);
            DurableFiles.CopyDurably(Path.Combine(staging, LedgerPaths.DatabaseFileName), paths.Database + ".restore");
            File.Move(paths.Database + ".restore", paths.Database, overwrite: true);
            DurableFiles.CopyDurably(Path.Combine(staging, LedgerPaths.HeadFileName), paths.Head + ".restore");
            File.Move(paths.Head + ".restore", paths.Head, overwrite: true);
            DurableFiles.SyncDirectory(paths.DataDirectory);
            return new RestoreResult(manifest.LastSeq, manifest.CreatedAt);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static BackupFile CopyAndHash(string source, string destination)
    {
        DurableFiles.CopyDurably(source, destination);
        return Hash(destination);
    }

    private static BackupFile Hash(string path)
    {
        using var stream = File.OpenRead(path);
        var hash = SHA256.HashData(stream);
        return new BackupFile(Path.GetFileName(path), stream.Length, Convert.ToHexStringLower(hash));
    }
}

/// <summary>What a restore put in place.</summary>
/// <param name="LastSeq">Last audit seq of the restored chain.</param>
/// <param name="BackupCreatedAt">When the backup was taken.</param>
public readonly record struct RestoreResult(long LastSeq, DateTimeOffset BackupCreatedAt);
