using System.Collections.Concurrent;
using QuantumEdge.Node.Compliance;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Compliance;

/// <summary>The events no request raises: a spike of budget refusals, a newly quarantined peer, a ledger stopped by its storage.</summary>
public sealed class ComplianceWatchTests
{
    [Fact]
    public async Task A_budget_refusal_spike_and_a_new_quarantine_each_raise_one_event()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        double refusals = 0;
        var quarantined = 0;
        var raised = new ConcurrentQueue<ComplianceEvent>();
        var watch = new ComplianceWatch(node.Node.Ledger, () => Volatile.Read(ref refusals), () => Volatile.Read(ref quarantined),
            TimeSpan.FromMilliseconds(10), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = watch.RunAsync(raised.Enqueue, stop.Token);

        Volatile.Write(ref refusals, ComplianceWatch.SpikeRefusals + 1);
        await WaitForAsync(raised, "budget_exhaustion_spike");
        Volatile.Write(ref quarantined, 1);
        await WaitForAsync(raised, "federation_quarantine");
        await stop.CancelAsync();
        await running;
        Assert.Single(raised, e => e.Event == "budget_exhaustion_spike");
        Assert.All(raised, e => Assert.NotEqual("audit_verification_failed", e.Event));
    }

    [Fact]
    public async Task A_ledger_stopped_by_a_storage_failure_raises_ledger_storage_failure_not_audit_verification_failed()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        var raised = new ConcurrentQueue<ComplianceEvent>();
        var watch = new ComplianceWatch(node.Node.Ledger, () => 0, () => 0, TimeSpan.FromMilliseconds(10), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var running = watch.RunAsync(raised.Enqueue, stop.Token);

        await node.FailLedgerStorageAsync();

        await WaitForAsync(raised, "ledger_storage_failure");
        await stop.CancelAsync();
        await running;
        Assert.Single(raised, e => e.Event == "ledger_storage_failure");
        Assert.Equal("critical", raised.Single().Severity);
        Assert.All(raised, e => Assert.NotEqual("audit_verification_failed", e.Event));
    }

    private static async Task WaitForAsync(ConcurrentQueue<ComplianceEvent> raised, string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!raised.Any(e => e.Event == name))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
