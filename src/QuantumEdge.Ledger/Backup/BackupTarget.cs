using System.Runtime.InteropServices;

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
    /// path (a link to the data directory, a ledger directory that is itself a link, a link whose
    /// target climbs out with <c>..</c>) leads to the same place as the directory it names.
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
    /// <paramref name="path"/> made absolute and resolved as the kernel resolves it: the longest part of it
    /// that exists goes through <c>realpath(3)</c> (every symbolic link followed, <c>..</c> applied after
    /// each, as opening the path would), and the parts that do not exist yet are kept as written. A loop
    /// of links, or Windows, keeps the path as written.
    /// </summary>
    private static string Resolved(string path)
    {
        var existing = Path.GetFullPath(path);
        var missing = new Stack<string>();
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }

        var resolved = OperatingSystem.IsWindows() ? null : RealPath(existing);
        return Path.Combine([resolved ?? existing, .. missing]);
    }

    private static string? RealPath(string path)
    {
        var buffer = RealPath(path, IntPtr.Zero);
        if (buffer == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(buffer);
        }
        finally
        {
            Free(buffer);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr buffer);
}
