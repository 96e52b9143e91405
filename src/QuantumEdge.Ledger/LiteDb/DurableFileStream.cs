using QuantumEdge.Ledger.Storage;
namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// A FileStream wrapper handed to LiteDB whose <see cref="Flush"/> is an fsync. LiteDB calls
/// Flush after its log writer drains and after a checkpoint writes the data file; we also
/// call <see cref="SyncIfDirty"/> ourselves before acknowledging a group commit.
/// </summary>
internal sealed class DurableFileStream : LedgerFileStream
{
    private readonly FileStream _inner;
    private volatile bool _dirty;

    public DurableFileStream(string path, FileShare share)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = share, BufferSize = 1, Options = FileOptions.RandomAccess,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileModes.PrivateFile;
        }

        _inner = new FileStream(path, options);

        // Also for a file an older build (or a loose umask) left readable by others.
        FileModes.Set(path, FileModes.PrivateFile);
    }

    public string Path => _inner.Name;

    public long SyncCount { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override void Flush() => SyncIfDirty();

    public override void SyncIfDirty()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        _inner.Flush(true);
        SyncCount++;
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value)
    {
        _dirty = true;
        _inner.SetLength(value);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _dirty = true;
        _inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _dirty = true;
        _inner.Write(buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            SyncIfDirty();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
