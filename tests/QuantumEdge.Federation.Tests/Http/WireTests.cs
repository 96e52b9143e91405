using System.Text;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Tests.Gossip;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Tests.Http;

public sealed class WireTests
{
    [Fact]
    public void A_digest_with_too_many_origins_is_refused_and_invalid_entries_are_skipped()
    {
        var many = "{\"origins\":{" + string.Join(",", Enumerable.Range(0, FederationWire.MaxDigestOrigins + 1).Select(i => $"\"o{i}\":{{\"epoch\":1,\"seq\":1}}")) + "}}";
        Assert.Throws<FederationTransportException>(() => FederationWire.ReadDigest(Encoding.UTF8.GetBytes(many)));

        var digest = FederationWire.ReadDigest("{\"origins\":{\"Bad Name\":{\"epoch\":1,\"seq\":1},\"ok\":{\"epoch\":1,\"seq\":2,\"hash\":\"XYZ\"},\"zero\":{\"epoch\":0,\"seq\":1}}}"u8);
        var entry = Assert.Single(digest.Origins);
        Assert.Equal("ok", entry.Key);
        Assert.Null(entry.Value.Hash);
        Assert.Null(digest.Receipt);
    }

    [Fact]
    public void A_pull_page_must_be_a_bounded_array_of_envelopes()
    {
        var tooMany = "{\"envelopes\":[" + string.Join(",", Enumerable.Repeat("{}", FederationWire.MaxPullEnvelopes + 1)) + "]}";
        Assert.Throws<FederationTransportException>(() => FederationWire.ReadPullPage(Encoding.UTF8.GetBytes(tooMany)));
        Assert.Throws<FederationTransportException>(() => FederationWire.ReadPullPage("{\"envelopes\":{}}"u8));
        Assert.Throws<FederationTransportException>(() => FederationWire.ReadPullPage("{\"envelopes\":[1,2"u8));
        Assert.Equal(2, FederationWire.ReadPullPage("{ \"envelopes\" : [ {\"b\":1,\"a\":2}, [] ] }"u8).Count);
        Assert.Equal("{\"a\":2,\"b\":1}", Encoding.UTF8.GetString(FederationWire.ReadPullPage("{\"envelopes\":[{\"b\":1,\"a\":2}]}"u8)[0]));
    }

    [Fact]
    public void Only_receipts_for_this_node_signed_by_a_trusted_peer_are_kept()
    {
        using var cluster = new TestCluster(2);
        var member = cluster[0].Member;
        var head = new AuditHead(5, new byte[32]);
        Assert.False(member.AcceptReceipt(WitnessReceipt.Create(cluster[0].Key, "node-01", "node-00", head, Samples.Now)));  // wrong key
        Assert.False(member.AcceptReceipt(WitnessReceipt.Create(cluster[1].Key, "node-01", "node-01", head, Samples.Now)));  // not about us
        Assert.False(member.AcceptReceipt(WitnessReceipt.Create(cluster[0].Key, "node-00", "node-00", head, Samples.Now)));  // from ourselves
        Assert.True(member.AcceptReceipt(WitnessReceipt.Create(cluster[1].Key, "node-01", "node-00", head, Samples.Now)));
        Assert.Single(member.Receipts.All);
    }

    [Fact]
    public async Task The_background_loop_gossips_on_its_own_until_cancelled()
    {
        using var cluster = new TestCluster(3, gossip: new GossipOptions { Interval = TimeSpan.FromMilliseconds(20), FanOut = 2 });
        cluster.PublishAll();
        using var stop = new CancellationTokenSource();
        var loops = cluster.Members.Select(m => Task.Run(() => m.Engine.RunAsync(stop.Token))).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // Two members' pushes can converge the cluster before the third's first round has ended (a loop
        // scheduled late on a busy machine): wait for both, each within the deadline.
        while (!(cluster.Converged() && cluster.Members.All(m => m.Engine.Totals.Rounds >= 1)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        Assert.True(cluster.Converged());
        Assert.All(cluster.Members, m => Assert.True(m.Engine.Totals.Rounds >= 1));
    }
}
