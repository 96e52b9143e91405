using System.Security.Cryptography;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Node.Batch;

/// <summary>A write-only stream that hashes what passes through it and refuses (413) to pass more than a cap.</summary>
internal sealed class CappedHashingStream(Stream inner, IncrementalHash hash, long maxBytes) : Stream
{
    private long _written;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Count(buffer);
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Count(ReadOnlySpan<byte> buffer)
    {
        _written += buffer.Length;
        if (_written > maxBytes)
        {
            throw new GatewayError(413, "invalid_request_error", "file_too_large", $"the file is larger than the limit of {maxBytes} bytes (batch.max_file_bytes)");
        }

        hash.AppendData(buffer);
    }
}
