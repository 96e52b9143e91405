namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// The Unix modes the ledger gives what it creates, set explicitly so that the service's umask
/// cannot make the ledger, its keys or its directory readable by other accounts.
/// </summary>
public static class FileModes
{
    /// <summary>0700: data, ledger and key directories.</summary>
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>0600: the database, its log, the head file, the lock, private keys, backups, the admin socket.</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0644: the node's public key.</summary>
    public const UnixFileMode PublicFile = PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Creates <paramref name="path"/> (and missing parents) and sets it to 0700 whatever the umask.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, PrivateDirectory);
        File.SetUnixFileMode(path, PrivateDirectory);
    }

    /// <summary>Sets an existing file to <paramref name="mode"/> (no-op on Windows).</summary>
    public static void Set(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
