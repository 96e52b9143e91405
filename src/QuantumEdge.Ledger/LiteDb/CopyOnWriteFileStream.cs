namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// A read-only view of a ledger file for verifiers and readers. LiteDB may still write on close
/// (it checkpoints a non-empty log into the data file); those writes land in memory pages here, so
/// the file on disk is never created, extended or changed. A missing file reads as empty.
/// </summary>
internal sealed class CopyOnWriteFileStream : LedgerFileStream
{
    private const int PageSize = 8192;
    private readonly FileStream? _file;
    private readonly Dictionary<long, byte[]> _pages = [];
    private long _length;
    private long _position;

    // Bytes of the file at or beyond this offset were cut by SetLength and read as zeros.
    private long _fileVisibleLength;

    public CopyOnWriteFileStream(string path)
    {
        if (File.Exists(path))
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
            _length = _file.Length;
            _fileVisibleLength = _length;
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override void SyncIfDirty()
    {
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        var done = 0;
        while (done < total)
        {
            var page = (_position + done) / PageSize;
            var within = (int)((_position + done) % PageSize);
            var chunk = Math.Min(total - done, PageSize - within);
            var target = buffer.Slice(done, chunk);
            if (_pages.TryGetValue(page, out var copy))
            {
                copy.AsSpan(within, chunk).CopyTo(target);
            }
            else
            {
                ReadFile(_position + done, target);
            }

            done += chunk;
        }

        _position += done;
        return done;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var page = (_position + done) / PageSize;
            var within = (int)((_position + done) % PageSize);
            var chunk = Math.Min(buffer.Length - done, PageSize - within);
            if (!_pages.TryGetValue(page, out var copy))
            {
                copy = new byte[PageSize];
                ReadFile(page * PageSize, copy);
                _pages[page] = copy;
            }

            buffer.Slice(done, chunk).CopyTo(copy.AsSpan(within));
            done += chunk;
        }

        _position += done;
        _length = Math.Max(_length, _position);
    }

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void SetLength(long value)
    {
        _length = value;
        _fileVisibleLength = Math.Min(_fileVisibleLength, value);
        foreach (var page in _pages.Keys.Where(p => p * PageSize >= value).ToList())
        {
            _pages.Remove(page);
        }

        if (_pages.TryGetValue(value / PageSize, out var partial))
        {
            partial.AsSpan((int)(value % PageSize)).Clear();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
            _pages.Clear();
        }

        base.Dispose(disposing);
    }

    private void ReadFile(long offset, Span<byte> target)
    {
        target.Clear();
        if (_file is null || offset >= _fileVisibleLength)
        {
            return;
        }

        var wanted = (int)Math.Min(target.Length, _fileVisibleLength - offset);
        var read = 0;
        while (read < wanted)
        {
            var n = RandomAccess.Read(_file.SafeFileHandle, target.Slice(read, wanted - read), offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }
    }
}
