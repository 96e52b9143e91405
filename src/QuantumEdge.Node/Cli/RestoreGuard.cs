using System.Globalization;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// What <c>restore</c> would throw away, and the steps that make a forced restore recoverable: the
/// current ledger's records the backup does not hold are counted before anything is replaced; a
/// restore that would lose any is refused unless forced; a forced one keeps the replaced ledger
/// beside the new one (<c>ledger.replaced-&lt;UTC stamp&gt;/</c>) and audits itself in the restored chain.
/// </summary>
internal static class RestoreGuard
{
    /// <summary>The ledger's files in its directory (LiteDB file, its log, the signed head); the lock and keys stay.</summary>
    private static readonly string[] LedgerFiles = ["ledger.db", "ledger-log.db", "ledger.head"];

    private const int MaxManifestBytes = 1 << 20;

    /// <summary>Current-ledger records a restore would replace: none, or a count with the seq range.</summary>
    internal sealed record RollBack(long Records, long FirstSeq, long LastSeq, long CurrentLastSeq, long BackupLastSeq, bool SameHistory, string? Unreadable = null)
    {
        public static readonly RollBack None = new(0, 0, 0, 0, 0, true);

        /// <summary>True when restoring would lose something (records, or a ledger that cannot be read to tell).</summary>
        public bool LosesRecords => Records > 0 || Unreadable is not null;

        public override string ToString() => Unreadable is not null
            ? $"a ledger that cannot be read ({Unreadable})"
            : Records == 0
            ? "nothing"
            : string.Create(CultureInfo.InvariantCulture, $"{Records} audit record(s), seq {FirstSeq}–{LastSeq}")
              + (SameHistory ? ""
                  : CurrentLastSeq < BackupLastSeq
                  ? string.Create(CultureInfo.InvariantCulture, $" (the current ledger ends at seq {CurrentLastSeq}, before the backup's {BackupLastSeq}, and cannot be shown to be part of it: its whole chain is replaced)")
                  : " (the current ledger does not hold the backup's last record: it is another history, and its whole chain is replaced)");
    }

    public static async Task<int> RestoreAsync(string backupDirectory, NodeConfiguration config, bool force, CancellationToken ct)
    {
        var manifest = ReadManifest(backupDirectory);
        var rollBack = await MeasureAsync(config, manifest, ct).ConfigureAwait(false);
        if (rollBack.LosesRecords && !force)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"quantumedge: restore refused: the current ledger holds {rollBack} that the backup (taken {manifest.CreatedAt:O}, ending at seq {manifest.LastSeq}) does not; restoring would roll them back. Take a backup of the current ledger first, then re-run with --force (the replaced ledger is kept beside the restored one).")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var ledgerDirectory = Path.GetFullPath(config.Storage.ResolveLedgerDir(config.Node));
        string? keptAt = null;
        if (rollBack.LosesRecords)
        {
            keptAt = KeepReplaced(ledgerDirectory);
        }

        if (!Directory.Exists(ledgerDirectory))
        {
            await Console.Out.WriteLineAsync($"no ledger in '{ledgerDirectory}' yet ({config.Source}): creating it for the restore").ConfigureAwait(false);
        }

        RestoreResult result;
        try
        {
            result = await LedgerFactory.RestoreAsync(backupDirectory, config).ConfigureAwait(false);
        }
        catch (LedgerException e)
        {
            await Console.Error.WriteLineAsync($"quantumedge: restore refused: {e.Message}").ConfigureAwait(false);
            if (keptAt is not null)
            {
                // Nothing was replaced; the copy is redundant.
                Directory.Delete(keptAt, recursive: true);
            }

            return ExitCodes.Failure;
        }

        var detail = string.Create(CultureInfo.InvariantCulture,
            $"restored backup taken {result.BackupCreatedAt:O} ending at seq {result.LastSeq}; rolled back {rollBack}")
            + (keptAt is null ? "" : $"; replaced ledger kept at {keptAt}");
        long auditSeq;
        await using (var ledger = LedgerFactory.Open(config))
        {
            auditSeq = await ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Admin,
                RequestId = "restore-" + Guid.NewGuid().ToString("N"),
                UserId = Environment.UserName,
                Role = "operator",
                Decision = "admin:restore",
                Detail = detail,
                RelatedSeq = result.LastSeq,
            }, ct).ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"restored and verified: audit seq {result.LastSeq}, backup taken {result.BackupCreatedAt:O}; restore audited at seq {auditSeq}")).ConfigureAwait(false);
        if (rollBack.LosesRecords)
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rolled back {rollBack} (the replaced ledger ended at seq {rollBack.CurrentLastSeq}); the replaced ledger is kept at {keptAt}")).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Counts the current ledger's records the backup lacks. When the current chain holds the backup's
    /// last record (same seq, same hash) only the records after it are lost; otherwise the two
    /// histories differ (or the current one cannot be shown to be a prefix) and all of it is.
    /// </summary>
    internal static async Task<RollBack> MeasureAsync(NodeConfiguration config, BackupManifest manifest, CancellationToken ct)
    {
        IPrivacyLedger current;
        try
        {
            current = LedgerFactory.OpenForReading(config);
        }
        catch (LedgerMissingException)
        {
            return RollBack.None;
        }
        catch (LedgerException e)
        {
            return RollBack.None with { Unreadable = e.Message };
        }

        await using (current)
        {
            var (headSeq, _) = await current.AuditHeadAsync(ct).ConfigureAwait(false);
            if (headSeq == 0)
            {
                return RollBack.None;
            }

            var atBackupHead = manifest.LastSeq > 0
                ? await current.ReadAuditAsync(manifest.LastSeq - 1, 1, ct).ConfigureAwait(false)
                : [];
            var sameHistory = manifest.LastSeq == 0
                || (atBackupHead.Count == 1 && atBackupHead[0].Seq == manifest.LastSeq
                    && string.Equals(atBackupHead[0].Hash, manifest.LastHash, StringComparison.OrdinalIgnoreCase));
            var after = sameHistory ? manifest.LastSeq : 0;
            long count = 0, first = 0, last = 0;
            while (true)
            {
                var page = await current.ReadAuditAsync(after, 1000, ct).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    break;
                }

                first = first == 0 ? page[0].Seq : first;
                last = page[^1].Seq;
                count += page.Count;
                after = last;
            }

            return new RollBack(count, first, last, headSeq, manifest.LastSeq, sameHistory);
        }
    }

    /// <summary>Copies the ledger's files to a private sibling directory named by the UTC time; returns it.</summary>
    private static string KeepReplaced(string ledgerDirectory)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = ledgerDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".replaced-" + stamp;
        if (Directory.Exists(target))
        {
            throw new ConfigurationException("restore", $"'{target}' already exists; wait a second and retry");
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(target);
        }
        else
        {
            Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var name in LedgerFiles)
        {
            var source = Path.Combine(ledgerDirectory, name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(target, name));
                using var copy = new FileStream(Path.Combine(target, name), FileMode.Open, FileAccess.ReadWrite);
                copy.Flush(flushToDisk: true);
            }
        }

        return target;
    }

    private static BackupManifest ReadManifest(string backupDirectory)
    {
        var path = Path.Combine(backupDirectory, BackupManifest.FileName);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            // As with every other file of a backup: what is restored is what the backup holds, never what a link points at.
            throw new ConfigurationException("--from", $"'{path}' is a symbolic link: a backup's files must be regular files");
        }

        if (!Path.Exists(path))
        {
            throw new ConfigurationException("--from", $"'{backupDirectory}' has no {BackupManifest.FileName}: not a ledger backup");
        }

        try
        {
            // The size is checked on the open file and the read is bounded: a FIFO or a device reports no size and never ends.
            return BackupManifest.Parse(RegularFile.Read(path, MaxManifestBytes, "--from"));
        }
        catch (LedgerException e)
        {
            throw new ConfigurationException("--from", $"'{path}' cannot be read: {e.Message}");
        }
    }
}
