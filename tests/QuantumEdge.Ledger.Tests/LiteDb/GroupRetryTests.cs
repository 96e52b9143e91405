using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Ledger.Tests.Batches;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// One operation that fails inside a group commit rolls the group back; its neighbours are then redone one
/// transaction each and must complete (the redo used to commit them without ever completing their tasks).
/// </summary>
public sealed class GroupRetryTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_neighbours_of_a_failing_operation_are_committed_once_and_complete()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { DeferredCommitLinger = Forever });
        await ledger.BatchStates.CreateAsync(BatchStateChecks.NewBatch("batch_dup")).WaitAsync(Deadline);

        // Deferrable records linger until the duplicate create arrives: all four share one group, which fails.
        var records = new List<Task<long>>();
        for (var i = 0; i < 3; i++)
        {
            records.Add(ledger.RecordAsync(new AuditEntry { RequestId = $"outcome-{i}", UserId = "dr-a", HttpStatus = 200 }, CommitTiming.Deferrable));
        }

        var duplicate = ledger.BatchStates.CreateAsync(BatchStateChecks.NewBatch("batch_dup"));

        Assert.Contains("already stored", (await Assert.ThrowsAsync<LedgerException>(() => duplicate.WaitAsync(Deadline))).Message, StringComparison.Ordinal);
        var seqs = await Task.WhenAll(records).WaitAsync(Deadline);
        Assert.Equal([1L, 2, 3], seqs);
        Assert.Null(ledger.ReadOnlyReason);
        Assert.Equal(3, (await ledger.AuditHeadAsync().WaitAsync(Deadline)).Seq);
    }
}
