namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// An exclusive lock on the data directory (a held <c>ledger.lock</c>; .NET maps
/// FileShare.None to flock on Unix), so two nodes or a restore never share one store.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream? _stream;

    private DataDirectoryLock(FileStream? stream) => _stream = stream;

    public static DataDirectoryLock Acquire(string lockPath) => Take(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite);

    /// <summary>
    /// For readers, which create nothing: locks an existing lock file (so no node starts meanwhile);
    /// where there is none, no node has run here and there is nothing to hold.
    /// </summary>
    public static DataDirectoryLock AcquireExisting(string lockPath) =>
        File.Exists(lockPath) ? Take(lockPath, FileMode.Open, FileAccess.Read) : new DataDirectoryLock(null);

    public void Dispose() => _stream?.Dispose();

    private static DataDirectoryLock Take(string lockPath, FileMode mode, FileAccess access)
    {
        try
        {
            var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
            if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
            {
                options.UnixCreateMode = FileModes.PrivateFile;
            }

            var stream = new FileStream(lockPath, options);
            if (mode != FileMode.Open)
            {
                FileModes.Set(lockPath, FileModes.PrivateFile);
            }

            return new DataDirectoryLock(stream);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new LedgerLockedException(
                $"The ledger data directory '{Path.GetDirectoryName(lockPath)}' is in use by another process; stop the node first.", ex);
        }
    }
}
