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

    private static bool IsWithin(string directory, string ledgerDirectory)
    {
        var ledger = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ledgerDirectory));
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return target.Equals(ledger, comparison)
            || target.StartsWith(ledger + Path.DirectorySeparatorChar, comparison);
    }
}
