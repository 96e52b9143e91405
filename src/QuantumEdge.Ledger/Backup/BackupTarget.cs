namespace QuantumEdge.Ledger.Backup;

/// <summary>Where a backup may be written, whatever the storage engine: one check for the CLI, the admin socket and the writer.</summary>
public static class BackupTarget
{
    /// <summary>
    /// Why <paramref name="directory"/> cannot receive a backup (it exists and is not an empty
    /// directory), or null.
    /// </summary>
    public static string? Problem(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (File.Exists(directory) || new FileInfo(directory).LinkTarget is not null)
        {
            return $"'{directory}' exists and is not a directory";
        }

        return Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()
            ? $"'{directory}' is not empty; a backup needs a new or empty directory"
            : null;
    }
}
