using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// An unambiguous byte encoding for hashing and signing: fixed-width big-endian numbers and
/// presence-flagged, length-prefixed strings and blobs, so no two field lists encode the same.
/// Not thread-safe; one per thread.
/// </summary>
internal sealed class CanonicalEncoder
{
    /// <summary>Bytes in a chain hash (SHA-256), whatever engine stores the chain.</summary>
    public const int HashSize = 32;

    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public CanonicalEncoder Reset(string domain)
    {
        _buffer.ResetWrittenCount();
        String(domain);
        return this;
    }

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public CanonicalEncoder Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public CanonicalEncoder Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public CanonicalEncoder Double(double value) => Int64(BitConverter.DoubleToInt64Bits(value));

    public CanonicalEncoder String(string? value)
    {
        if (value is null)
        {
            return Absent();
        }

        var length = Encoding.UTF8.GetByteCount(value);
        Present(length);
        var written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(written);
        return this;
    }

    public CanonicalEncoder Bytes(byte[]? value)
    {
        if (value is null)
        {
            return Absent();
        }

        Present(value.Length);
        _buffer.Write(value);
        return this;
    }

    public CanonicalEncoder OptionalInt64(long? value) => value is null ? Absent() : Present(8).Int64(value.Value);

    /// <summary>SHA-256 of <paramref name="prefix"/> followed by what was written.</summary>
    public byte[] Sha256(ReadOnlySpan<byte> prefix)
    {
        // One-shot over one contiguous copy: no hasher object per audit record.
        var length = prefix.Length + _buffer.WrittenCount;
        byte[]? rented = null;
        var whole = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            prefix.CopyTo(whole);
            _buffer.WrittenSpan.CopyTo(whole[prefix.Length..]);
            return SHA256.HashData(whole);
        }
        finally
        {
            if (rented is not null)
            {
                // The pool is the whole process's: the next renter must not read this record's fields.
                whole.Clear();
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private CanonicalEncoder Absent()
    {
        _buffer.GetSpan(1)[0] = 0;
        _buffer.Advance(1);
        return this;
    }

    private CanonicalEncoder Present(int length)
    {
        _buffer.GetSpan(1)[0] = 1;
        _buffer.Advance(1);
        return Int32(length);
    }
}
