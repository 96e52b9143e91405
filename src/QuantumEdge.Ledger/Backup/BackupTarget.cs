namespace QuantumEdge.Ledger.Backup;

/// <summary>Where a backup may be written, whatever the storage engine: one check for the CLI, the admin socket and the writer.</summary>
public static class BackupTarget
{
    /// <summary>
    /// Why <paramref name="directory"/> cannot receive a backup (it exists and is not an empty
    /// directory, or it lies inside <paramref name="ledgerDirectory"/>, the ledger's own directory),
    /// or null.
    /// </summary>
    public static string? Problem(string directory, string? ledgerDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (File.Exists(directory) || new FileInfo(directory).LinkTarget is not null)
        {
            return $"'{directory}' exists and is not a directory";
        }

        if (ledgerDirectory is not null && IsWithin(directory, ledgerDirectory))
        {
            // A copy kept in the directory it copies is lost with it (a disk, a wiped data directory, a restore that replaces it).
            return $"'{directory}' lies inside the ledger's directory '{Path.GetFullPath(ledgerDirectory)}'; write backups somewhere else";
        }

        return Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()
            ? $"'{directory}' is not empty; a backup needs a new or empty directory"
            : null;
    }

    /// <summary>
    /// Compares the paths as written and as the file system resolves them: a symbolic link on either
    /// path (a link to the data directory, a ledger directory that is itself a link) leads to the
    /// same place as the directory it names.
    /// </summary>
    private static bool IsWithin(string directory, string ledgerDirectory) =>
        IsWithinPath(Path.GetFullPath(directory), Path.GetFullPath(ledgerDirectory))
        || IsWithinPath(Resolved(directory), Resolved(ledgerDirectory));

    private static bool IsWithinPath(string target, string ledger)
    {
        ledger = Path.TrimEndingDirectorySeparator(ledger);
        target = Path.TrimEndingDirectorySeparator(target);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return target.Equals(ledger, comparison)
            || target.StartsWith(ledger + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link among its existing parts
    /// replaced by where it leads (the parts that do not exist yet kept as written). A loop of links
    /// or a chain deeper than the kernel's own limit (40) stops resolving and keeps what it has.
    /// </summary>
    private static string Resolved(string path, int depth = 0)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo? target = null;
            try
            {
                target = depth < 40 && new FileInfo(next).LinkTarget is not null ? new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true) : null;
            }
            catch (IOException)
            {
                // A loop of links: the path is kept as written from here.
            }

            if (target is null && !Path.Exists(next))
            {
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = target is null ? next : Resolved(target.FullName, depth + 1);
        }

        return current;
    }
}
