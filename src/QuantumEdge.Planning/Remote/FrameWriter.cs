using System.Buffers.Binary;
using System.Text;

namespace QuantumEdge.Planning.Remote;

/// <summary>Builds one frame in a growable buffer: header first, the length patched in at the end.</summary>
internal sealed class FrameWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public FrameWriter(FrameType type, uint requestId)
    {
        _length = 4;
        Byte((byte)type);
        UInt32(requestId);
    }

    /// <summary>The finished frame (length prefix included).</summary>
    /// <exception cref="PlannerProtocolException">The body exceeds <see cref="PlannerProtocol.MaxFrameBytes"/>.</exception>
    public ReadOnlyMemory<byte> Finish()
    {
        var payload = _length - 4;
        if (payload > PlannerProtocol.MaxFrameBytes)
        {
            throw new PlannerProtocolException($"frame of {payload} bytes exceeds the {PlannerProtocol.MaxFrameBytes}-byte limit", PlannerErrorCode.TooLarge);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)payload);
        return _buffer.AsMemory(0, _length);
    }

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length));
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_length + count, _buffer.Length * 2));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
