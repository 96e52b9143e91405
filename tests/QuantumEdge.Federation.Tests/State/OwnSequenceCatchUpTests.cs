using QuantumEdge.Federation.State;
using QuantumEdge.Federation.Tests.Gossip;

namespace QuantumEdge.Federation.Tests.State;

/// <summary>
/// A node whose federation files were put back from an older copy (a file-level restore) learns its
/// newest envelope back from its peers and continues after it, instead of re-signing a seq they hold
/// (which they would take for equivocation and quarantine it for).
/// </summary>
public sealed class OwnSequenceCatchUpTests
{
    [Fact]
    public async Task A_node_with_an_older_sequence_file_continues_after_what_its_peers_hold_and_is_not_quarantined()
    {
        using var cluster = new TestCluster(3);
        var a = cluster[0];
        cluster.PublishAll();
        var sequenceFile = Path.Combine(a.Directory, OwnSequence.FileName);
        var marksFile = Path.Combine(a.Directory, HighWaterMarks.FileName);
        var oldSequence = File.ReadAllBytes(sequenceFile);
        var oldMarks = File.ReadAllBytes(marksFile);
        cluster.PublishAll(only: [0]);
        cluster.PublishAll(only: [0]);
        Assert.Equal(3, a.Member.Digest()[a.Id].Seq);
        Assert.True(await cluster.RoundsUntilAsync(cluster.Converged) > 0);

        // The copy from after seq 1 is put back and the node restarts.
        File.WriteAllBytes(sequenceFile, oldSequence);
        File.WriteAllBytes(marksFile, oldMarks);
        cluster.Open(a);
        Assert.Equal(1, a.Member.Digest()[a.Id].Seq);

        // One exchange brings seq 3 back; the next envelope follows it.
        await cluster.RoundAsync(only: [0]);
        Assert.Equal(3, a.Member.Digest()[a.Id].Seq);
        cluster.PublishAll(only: [0]);
        Assert.Equal(4, a.Member.Digest()[a.Id].Seq);

        await cluster.RoundsUntilAsync(cluster.Converged);
        Assert.True(cluster.Converged());
        foreach (var peer in new[] { cluster[1], cluster[2] })
        {
            Assert.Empty(peer.Member.Intake.Quarantined());
            Assert.Equal(4, peer.Member.Digest()[a.Id].Seq);
        }
    }
}
