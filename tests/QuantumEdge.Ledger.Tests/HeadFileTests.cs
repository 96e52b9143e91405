using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.Tests;

/// <summary>The head file reuses its buffers between writes: each write must read back as exactly itself.</summary>
public sealed class HeadFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-head-").FullName;

    [Fact]
    public void A_shorter_head_after_a_longer_one_reads_back_without_the_longer_ones_bytes()
    {
        var path = Path.Combine(_dir, "ledger.head");
        var longer = Point(seq: 9_876_543_210_123, fill: 0xAB);
        var shorter = Point(seq: 7, fill: 0x01);

        HeadFile.Write(path, longer);
        Assert.Equal(longer.Seq, HeadFile.Read(path)!.Value.Seq);
        HeadFile.Write(path, shorter);

        var read = HeadFile.Read(path)!.Value;
        Assert.Equal(shorter.Seq, read.Seq);
        Assert.Equal(shorter.Hash, read.Hash);
        Assert.Equal(shorter.TimeTicks, read.TimeTicks);
        Assert.Equal(shorter.Signature, read.Signature);
        Assert.False(File.Exists(path + ".tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Heads_written_from_two_threads_each_read_back_whole()
    {
        var first = Path.Combine(_dir, "a.head");
        var second = Path.Combine(_dir, "b.head");
        var a = Point(seq: 11, fill: 0x11);
        var b = Point(seq: 22_222_222, fill: 0x22);

        Parallel.Invoke(() => HeadFile.Write(first, a), () => HeadFile.Write(second, b));

        Assert.Equal(a.Hash, HeadFile.Read(first)!.Value.Hash);
        Assert.Equal(b.Hash, HeadFile.Read(second)!.Value.Hash);
        Assert.Equal(b.Signature, HeadFile.Read(second)!.Value.Signature);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SignedChainPoint Point(long seq, byte fill) =>
        new(seq, Enumerable.Repeat(fill, AuditDocument.HashSize).ToArray(), 638_000_000_000_000_000 + seq, Enumerable.Repeat((byte)(fill + 1), 64).ToArray());
}
