using System.Buffers.Binary;
using System.Text;

namespace QuantumEdge.Planning.Remote;

/// <summary>
/// Reads one frame's body; every read is bounds-checked and every count is checked against the
/// bytes left before anything is allocated, so a hostile frame fails with a clear error.
/// </summary>
internal ref struct FrameReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Remaining => _body.Length - _position;

    public byte Byte() => Take(1, "byte")[0];

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        var b => throw new PlannerProtocolException($"boolean byte {b} is neither 0 nor 1"),
    };

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "u16"));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, "i32"));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, "i64"));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "f64"));

    /// <summary>A finite double (NaN and infinities are refused: they would poison a solve).</summary>
    public double Finite(string name)
    {
        var value = Double();
        return double.IsFinite(value) ? value : throw new PlannerProtocolException($"{name} is not a finite number");
    }

    /// <summary>A count of items of <paramref name="itemBytes"/> bytes each that must fit the bytes left.</summary>
    public int Count(string name, int itemBytes)
    {
        var count = Int32();
        if (count < 0 || (long)count * itemBytes > Remaining)
        {
            throw new PlannerProtocolException($"{name} count {count} does not fit the {Remaining} bytes left in the frame");
        }

        return count;
    }

    public string String(string name)
    {
        var length = Count(name, 1);
        return Encoding.UTF8.GetString(Take(length, name));
    }

    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw new PlannerProtocolException($"{Remaining} unexpected bytes after the message");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw new PlannerProtocolException($"frame ends inside a {what} (needs {count} bytes, {Remaining} left)");
        }

        var span = _body.Slice(_position, count);
        _position += count;
        return span;
    }
}
