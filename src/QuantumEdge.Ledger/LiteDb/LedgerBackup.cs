using System.Security.Cryptography;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Storage;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Online backup and offline restore of the LiteDB ledger files. A backup runs on the writer thread between group commits,
/// so the copied database, head file and manifest describe one consistent state.
/// </summary>
internal static class LedgerBackup
{
    private const string StagingDirectoryName = ".restore-staging";
    private const int MaxManifestBytes = 1 << 20;
    private const long MaxSmallFileBytes = 64 * 1024;

    /// <summary>The only names a backup's manifest may list: the database and head are required.</summary>
    private static readonly string[] RequiredFiles = [LedgerPaths.DatabaseFileName, LedgerPaths.HeadFileName];

    private static readonly string[] KnownFiles = [LedgerPaths.DatabaseFileName, LedgerPaths.HeadFileName, NodeIdentity.PublicKeyFileName];

    internal static BackupManifest Write(LedgerStore store, string directory)
    {
        if (BackupTarget.Problem(directory, store.Paths.DataDirectory) is { } problem)
        {
            throw new LedgerException($"Backup refused: {problem}.");
        }

        FileModes.CreatePrivateDirectory(directory);
        store.MakeDurable();
        var manifestPath = Path.Combine(directory, BackupManifest.FileName);
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
    /// Restores a backup into <paramref name="target"/>'s data directory. Reads only regular files
    /// (a symlink, device or FIFO is refused before it is opened) of the sizes the manifest names,
    /// copies them into a staging directory while hashing them, opens the staged copy with the
    /// target's MASTER_KEY and node key and verifies the whole ledger BEFORE replacing anything.
    /// Refuses while a node holds the data directory.
    /// </summary>
    public static async Task<RestoreResult> RestoreAsync(string backupDirectory, LedgerOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var manifest = ReadManifest(backupDirectory);
        var paths = new LedgerPaths(Path.GetFullPath(target.DataDirectory));
        FileModes.CreatePrivateDirectory(paths.DataDirectory);
        using var directoryLock = DataDirectoryLock.Acquire(paths.Lock);
        var staging = Path.Combine(paths.DataDirectory, StagingDirectoryName);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        FileModes.CreatePrivateDirectory(staging);
        try
        {
            foreach (var file in manifest.Files)
            {
                StageChecked(backupDirectory, file, file.Name == NodeIdentity.PublicKeyFileName ? null : Path.Combine(staging, file.Name));
            }

            var identity = target.NodeIdentity ?? NodeIdentity.Load(target.NodeKeyDirectory ?? paths.DefaultKeysDirectory);
            try
            {
                var staged = target with { DataDirectory = staging, NodeIdentity = identity };
                using var ledger = LiteDbPrivacyLedger.Open(staged);
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

    private static BackupManifest ReadManifest(string backupDirectory)
    {
        var manifestPath = Path.Combine(backupDirectory, BackupManifest.FileName);
        byte[]? content;
        try
        {
            content = RegularFiles.ReadAllBytes(manifestPath, MaxManifestBytes);
        }
        catch (IOException ex)
        {
            throw new LedgerCorruptException($"The backup manifest cannot be read: {ex.Message}.", ex);
        }

        if (content is null)
        {
            throw new LedgerCorruptException($"'{backupDirectory}' has no {BackupManifest.FileName}: not a complete ledger backup.");
        }

        var manifest = BackupManifest.Parse(content);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (!KnownFiles.Contains(file.Name, StringComparer.Ordinal))
            {
                var shown = file.Name.Length > 80 ? file.Name[..80] + "…" : file.Name;
                throw new LedgerCorruptException(
                    $"The backup manifest lists '{shown}', which is not a file a backup holds (only {string.Join(", ", KnownFiles)}, each named without a directory).");
            }

            if (!seen.Add(file.Name))
            {
                throw new LedgerCorruptException($"The backup manifest lists {file.Name} twice.");
            }

            if (file.Length <= 0 || (file.Name != LedgerPaths.DatabaseFileName && file.Length > MaxSmallFileBytes))
            {
                throw new LedgerCorruptException($"The backup manifest gives {file.Name} an impossible length of {file.Length} bytes.");
            }
        }

        foreach (var name in RequiredFiles)
        {
            if (!seen.Contains(name))
            {
                throw new LedgerCorruptException($"The backup manifest does not list {name}.");
            }
        }

        return manifest;
    }

    /// <summary>Checks one backup file (regular, the manifest's length and SHA-256), copying it to <paramref name="stagedPath"/> when given.</summary>
    private static void StageChecked(string backupDirectory, BackupFile file, string? stagedPath)
    {
        var path = Path.Combine(backupDirectory, file.Name);
        if (RegularFiles.Problem(path, long.MaxValue) is { } problem)
        {
            throw new LedgerCorruptException($"Backup file {file.Name} cannot be used: {problem}.");
        }

        if (!File.Exists(path))
        {
            throw new LedgerCorruptException($"Backup file {file.Name}, listed in the manifest, is missing from '{backupDirectory}'.");
        }

        var length = new FileInfo(path).Length;
        if (length != file.Length)
        {
            throw new LedgerCorruptException($"Backup file {file.Name} is {length} bytes, but its manifest says {file.Length}: the backup is corrupt or incomplete.");
        }

        string sha256;
        try
        {
            using var input = RegularFiles.OpenRead(path, file.Length);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var output = stagedPath is null ? null : DurableFiles.CreatePrivate(stagedPath);
            var buffer = new byte[81920];
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
                output?.Write(buffer.AsSpan(0, read));
            }

            output?.Flush(true);
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (IOException ex)
        {
            throw new LedgerCorruptException($"Backup file {file.Name} cannot be read: {ex.Message}.", ex);
        }

        if (!string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new LedgerCorruptException($"Backup file {file.Name} does not match its manifest SHA-256: the backup is corrupt.");
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
