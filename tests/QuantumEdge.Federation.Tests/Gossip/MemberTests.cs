using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Robust;
using QuantumEdge.Federation.State;

namespace QuantumEdge.Federation.Tests.Gossip;

public sealed class MemberTests
{
    [Fact]
    public void A_node_whose_own_audit_head_goes_back_refuses_to_publish_it_but_does_not_quarantine_itself()
    {
        using var cluster = new TestCluster(1);
        var member = cluster[0].Member;
        member.Publish(new AuditHead(50, new byte[32]));
        var ex = Assert.Throws<InvalidOperationException>(() => member.Publish(new AuditHead(40, new byte[32])));
        Assert.Contains("audit_fork", ex.Message, StringComparison.Ordinal);
        Assert.Empty(member.Intake.Quarantined());
        Assert.Equal(60, member.Publish(new AuditHead(60, new byte[32])).Envelope.Payload.AuditHead!.Seq);
    }

    [Fact]
    public void Local_figures_come_from_the_exact_window_and_never_from_a_release()
    {
        using var cluster = new TestCluster(1);
        var member = cluster[0].Member;
        for (var u = 0; u < 30; u++)
        {
            member.Observations.RecordRequest($"u{u}", "mistral-7b", "coding", u < 3 ? RequestOutcome.Error : RequestOutcome.Ok, 120, 800);
        }

        var cell = member.Observations.LocalCells().Single(c => c.Model == "mistral-7b" && c.Category == "coding");
        var figures = CellFigures.From(cell, minCount: 1);
        Assert.Equal(30, figures.Requests);
        Assert.Equal(0.1, figures.ErrorRate!.Value, 12);
        Assert.InRange(figures.TtftP50Ms!.Value, 100, 200);
    }

    [Fact]
    public void A_corrupt_state_file_stops_the_member_from_opening_with_the_file_named()
    {
        using var cluster = new TestCluster(1);
        File.WriteAllText(Path.Combine(cluster[0].Directory, HighWaterMarks.FileName), "{");
        var ex = Assert.Throws<FederationStateException>(() => cluster.Open(cluster[0]));
        Assert.Contains(HighWaterMarks.FileName, ex.Message, StringComparison.Ordinal);
    }
}
