using System.Buffers.Binary;
using System.Security.Cryptography;
using QuantumEdge.Gateway.Planning.State;

namespace QuantumEdge.Gateway.Tests.Planning.State;

public sealed class QuantumStateFileTests
{
    private static readonly QuantumStateSnapshot Sample = new(
        new Dictionary<string, double> { ["vllm-secure"] = 41.5, ["llamacpp-général"] = 230.25 },
        [(0xDEADBEEFUL, [0, 2, 1]), (7UL, []), (42UL, [3])]);

    [Fact]
    public void What_is_encoded_decodes_to_the_same_state()
    {
        var decoded = QuantumStateFile.Decode(QuantumStateFile.Encode(Sample));

        Assert.Equal(Sample.LatencyMsByBackend, decoded.LatencyMsByBackend);
        Assert.Equal(Sample.Plans.Select(p => p.Shape), decoded.Plans.Select(p => p.Shape));
        Assert.Equal(Sample.Plans.Select(p => p.Plan), decoded.Plans.Select(p => p.Plan));
    }

    [Fact]
    public void Any_changed_byte_is_refused()
    {
        var file = QuantumStateFile.Encode(Sample);
        for (var i = 0; i < file.Length; i++)
        {
            var damaged = (byte[])file.Clone();
            damaged[i] ^= 0x01;
            Assert.Throws<InvalidDataException>(() => QuantumStateFile.Decode(damaged));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(47)]
    public void A_truncated_file_is_refused(int keep)
    {
        var file = QuantumStateFile.Encode(Sample);

        var e = Assert.Throws<InvalidDataException>(() => QuantumStateFile.Decode(file.AsSpan(0, Math.Min(keep, file.Length - 1))));
        Assert.NotEmpty(e.Message);
    }

    [Fact]
    public void A_well_checksummed_file_whose_counts_exceed_its_bytes_is_refused_without_allocating_them()
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(payload, 0);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), int.MaxValue);

        var e = Assert.Throws<InvalidDataException>(() => QuantumStateFile.Decode(Wrap(payload)));
        Assert.Contains("does not fit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_names_what_is_wrong_and_is_null_for_a_good_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "qe-state-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllBytes(path, QuantumStateFile.Encode(Sample));
            Assert.Null(QuantumStateFile.Problem(path));
            File.WriteAllText(path, "not a state file at all, but long enough to have a header and a hash");
            Assert.Contains("magic", QuantumStateFile.Problem(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Wrap(byte[] payload)
    {
        var file = new byte[16 + payload.Length + 32];
        "QESTATE1"u8.CopyTo(file);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(8), payload.Length);
        payload.CopyTo(file, 16);
        SHA256.HashData(file.AsSpan(0, 16 + payload.Length), file.AsSpan(16 + payload.Length));
        return file;
    }
}
