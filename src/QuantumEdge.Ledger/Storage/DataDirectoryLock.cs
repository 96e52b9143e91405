namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// An exclusive lock on the data directory (a held <c>ledger.lock</c>; .NET maps
/// FileShare.None to flock on Unix), so two nodes or a restore never share one store.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    public static DataDirectoryLock Acquire(string lockPath)
    {
        try
        {
            return new DataDirectoryLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new LedgerLockedException(
                $"The ledger data directory '{Path.GetDirectoryName(lockPath)}' is in use by another process; stop the node first.", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
