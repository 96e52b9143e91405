using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Node.Emergency;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary>The audit record of an action that changes nothing never stands in the way of one that does.</summary>
public sealed class EmergencyActionsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qe-emergency-actions-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly NodeIdentity _identity = NodeIdentity.Generate();

    public void Dispose()
    {
        _identity.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_halt_is_not_held_up_by_the_slow_audit_record_of_a_repeated_lockdown()
    {
        await using var inner = LiteDbPrivacyLedger.Open(new LedgerOptions
        {
            DataDirectory = _dir,
            MasterKey = "emergency-actions-test-key",
            NodeIdentity = _identity,
            Kdf = new KdfParameters(1024, 1),
        });
        var (ledger, held) = HeldRecordLedger.Wrap(inner, AuditDecisions.AdminActionUnchanged);
        var actions = new EmergencyActions(new EmergencyControls(configLockdown: false), EmergencyStateFile.For(_dir, _identity), ledger,
            TimeProvider.System, NullLogger.Instance);
        var admin = new AdminActor { UserId = "dr-admin", RequestId = "r1", Reason = "drill" };
        Assert.True((await actions.LockdownAsync(true, admin, CancellationToken.None)).Changed);

        var repeated = actions.LockdownAsync(true, admin, CancellationToken.None);
        await held.Holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The repeated lockdown's record is stuck in the ledger; the halt must not wait for it.
        var halt = await actions.HaltAsync(true, admin, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(halt.Changed);
        Assert.True(actions.Controls.State.Halted);
        Assert.False(repeated.IsCompleted);

        held.Release();
        var unchanged = await repeated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(unchanged.Changed);
        Assert.NotNull(unchanged.AuditSeq);
        var last = (await inner.ReadAuditAsync(0)).Last();
        Assert.Equal(AuditDecisions.AdminActionUnchanged, last.Entry.Decision);
        Assert.StartsWith("action=" + AuditDecisions.AdminLockdownOn, last.Entry.Detail, StringComparison.Ordinal);
    }
}
