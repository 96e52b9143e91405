using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Planning.State;

/// <summary>
/// The quantum state file, <c>&lt;data_dir&gt;/quantum_states/planner.state</c>: magic <c>QESTATE1</c>, the payload's
/// length (int64 LE), the payload, then the SHA-256 of everything before it. Payload: backend count, then per backend
/// its id (int32 length + UTF-8) and latency (float64); plan count, then per plan its shape (uint64) and its
/// backend indices (int32 count + int32 each). Every count is checked against the bytes left, so a damaged or
/// hostile file is refused with a message, never read past its end or allowed to allocate more than it holds.
/// </summary>
public static class QuantumStateFile
{
    /// <summary>Directory under the data dir (the deployment guide's <c>quantum_states</c>).</summary>
    public const string DirectoryName = "quantum_states";

    /// <summary>The file's name inside <see cref="DirectoryName"/> and inside a backup.</summary>
    public const string FileName = "planner.state";

    /// <summary>Largest file read back (a full 1,000,000-plan pool of small batches fits).</summary>
    public const int MaxBytes = 64 << 20;

    private static readonly byte[] Magic = "QESTATE1"u8.ToArray();
    private const int HeaderBytes = 8 + 8;
    private const int HashBytes = 32;

    /// <summary>Where <paramref name="config"/>'s node keeps its quantum state.</summary>
    public static string PathFor(NodeConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Path.GetFullPath(Path.Combine(config.Node.DataDir, DirectoryName, FileName));
    }

    /// <summary>Null when <paramref name="path"/> holds a readable state file, else what is wrong with it.</summary>
    public static string? Problem(string path)
    {
        try
        {
            _ = Decode(ReadBounded(path));
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>Reads and checks a state file; <see cref="InvalidDataException"/> or <see cref="IOException"/> say what is wrong.</summary>
    internal static QuantumStateSnapshot Read(string path) => Decode(ReadBounded(path));

    internal static byte[] Encode(QuantumStateSnapshot state)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(state.LatencyMsByBackend.Count);
            foreach (var (id, ms) in state.LatencyMsByBackend)
            {
                var bytes = Encoding.UTF8.GetBytes(id);
                w.Write(bytes.Length);
                w.Write(bytes);
                w.Write(ms);
            }

            w.Write(state.Plans.Count);
            foreach (var (shape, plan) in state.Plans)
            {
                w.Write(shape);
                w.Write(plan.Length);
                foreach (var v in plan)
                {
                    w.Write(v);
                }
            }
        }

        var body = payload.ToArray();
        var file = new byte[HeaderBytes + body.Length + HashBytes];
        Magic.CopyTo(file, 0);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(8), body.Length);
        body.CopyTo(file, HeaderBytes);
        SHA256.HashData(file.AsSpan(0, HeaderBytes + body.Length), file.AsSpan(HeaderBytes + body.Length));
        return file;
    }

    internal static QuantumStateSnapshot Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderBytes + HashBytes || !file[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a quantum state file (bad magic or too short)");
        }

        var length = BinaryPrimitives.ReadInt64LittleEndian(file[8..]);
        if (length != file.Length - HeaderBytes - HashBytes)
        {
            throw new InvalidDataException($"the payload length says {length} bytes but the file holds {file.Length - HeaderBytes - HashBytes}: truncated or padded");
        }

        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(file[..(HeaderBytes + (int)length)], hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, file[(HeaderBytes + (int)length)..]))
        {
            throw new InvalidDataException("checksum mismatch: the file was damaged or changed after it was written");
        }

        var reader = new Reader(file.Slice(HeaderBytes, (int)length));
        var backends = reader.Count(12);
        var latencies = new Dictionary<string, double>(backends, StringComparer.Ordinal);
        for (var i = 0; i < backends; i++)
        {
            var id = Encoding.UTF8.GetString(reader.Bytes(reader.Count(1)));
            latencies[id] = reader.Double();
        }

        var count = reader.Count(12);
        var plans = new List<(ulong, int[])>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = reader.UInt64();
            var plan = new int[reader.Count(4)];
            for (var t = 0; t < plan.Length; t++)
            {
                plan[t] = reader.Int32();
            }

            plans.Add((shape, plan));
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("bytes left after the last plan");
        }

        return new QuantumStateSnapshot(latencies, plans);
    }

    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > MaxBytes)
        {
            throw new InvalidDataException($"{stream.Length} bytes is more than the {MaxBytes} a state file may hold");
        }

        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        return content;
    }

    /// <summary>A little-endian cursor that refuses to read past its end.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly bool AtEnd => _at == _data.Length;

        /// <summary>A count whose items take at least <paramref name="minBytesEach"/> bytes each, so it cannot exceed what is left.</summary>
        public int Count(int minBytesEach)
        {
            var n = Int32();
            if (n < 0 || (long)n * minBytesEach > _data.Length - _at)
            {
                throw new InvalidDataException($"a count of {n} at byte {_at - 4} does not fit in the file");
            }

            return n;
        }

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8));

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (n > _data.Length - _at)
            {
                throw new InvalidDataException($"the payload ends at byte {_data.Length}, inside a value at byte {_at}");
            }

            var slice = _data.Slice(_at, n);
            _at += n;
            return slice;
        }
    }
}
