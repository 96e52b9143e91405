using QuantumEdge.Node.Hosting.Reload;

namespace QuantumEdge.Node.Tests.Hosting.Reload;

public sealed class InheritedHangupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qe-sigign-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("SigIgn:\t0000000000001007", true)]
    [InlineData("SigIgn:\t0000000000000001", true)]
    [InlineData("SigIgn:\t0000000000001006", false)]
    [InlineData("SigIgn:\tnot-hex", false)]
    public void The_kernels_ignore_mask_says_whether_sighup_is_ignored(string line, bool ignored)
    {
        var status = Path.Combine(_dir, "status");
        File.WriteAllLines(status, ["Name:\tquantumedge", "SigBlk:\t0000000000000000", line, "SigCgt:\t0000000300024480"]);

        Assert.Equal(ignored, InheritedHangup.IgnoredNow(status));
    }

    [Fact]
    public void Without_proc_the_node_still_starts()
    {
        Assert.False(InheritedHangup.IgnoredNow(Path.Combine(_dir, "no-proc", "self", "status")));
    }
}
