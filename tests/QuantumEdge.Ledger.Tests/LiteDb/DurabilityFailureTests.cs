using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// A group that LiteDB committed but whose head file could not be written afterwards: the group must not be
/// redone one operation at a time (that appended every record a second time), every caller is told the writes
/// could not be made durable, and the ledger stops taking writes (fail-stop) until the node restarts.
/// </summary>
public sealed class DurabilityFailureTests
{
    private const int GroupSize = 5;
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_group_committed_before_its_head_write_failed_is_failed_once_not_redone_and_the_ledger_stops()
    {
        using var ctx = new LedgerTestContext();
        var headPath = Path.Combine(ctx.DataDirectory, LedgerPaths.HeadFileName);
        using (var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { DeferredCommitLinger = Forever }))
        {
            Assert.True((await ledger.ChargeAsync(LedgerTestContext.Charge("dr-a")).WaitAsync(Deadline)).Admitted);
            Assert.False(ledger.StoppedByStorageFailure);

            // A non-empty directory where the head file is: the atomic rename over it fails.
            File.Delete(headPath);
            Directory.CreateDirectory(headPath);
            await File.WriteAllTextAsync(Path.Combine(headPath, "occupied"), "x");

            // Deferrable records linger until the charge arrives: all of them share its one commit.
            var group = new List<Task>();
            for (var i = 0; i < GroupSize - 1; i++)
            {
                group.Add(ledger.RecordAsync(new AuditEntry { RequestId = $"outcome-{i}", UserId = "dr-a", HttpStatus = 200, Backend = "vllm-1" }, CommitTiming.Deferrable));
            }

            group.Add(ledger.ChargeAsync(LedgerTestContext.Charge("dr-b")));

            var failures = new List<LedgerDurabilityException>();
            foreach (var task in group)
            {
                failures.Add(await Assert.ThrowsAsync<LedgerDurabilityException>(() => task.WaitAsync(Deadline)));
            }

            var fault = failures[0];
            Assert.All(failures, f => Assert.Same(fault, f));
            Assert.Contains("head file", fault.Message, StringComparison.Ordinal);
            Assert.Contains("restarted", fault.Message, StringComparison.Ordinal);
            Assert.IsType<IOException>(fault.InnerException, exactMatch: false);
            Assert.Equal(fault.Message, ledger.ReadOnlyReason);
            Assert.True(ledger.StoppedByStorageFailure);

            // Fail-stop: later writes and exclusive operations fail at once with the same fault (a deferrable one does not linger).
            Assert.Same(fault, await Assert.ThrowsAsync<LedgerDurabilityException>(
                () => ledger.RecordAsync(new AuditEntry { RequestId = "later-outcome", UserId = "dr-c", HttpStatus = 200 }, CommitTiming.Deferrable).WaitAsync(Deadline)));
            Assert.Same(fault, await Assert.ThrowsAsync<LedgerDurabilityException>(
                () => ledger.ChargeAsync(LedgerTestContext.Charge("dr-c")).WaitAsync(Deadline)));
            Assert.Same(fault, await Assert.ThrowsAsync<LedgerDurabilityException>(
                () => ledger.RecordAsync(new AuditEntry { RequestId = "later", UserId = "dr-c", HttpStatus = 200 }).WaitAsync(Deadline)));
            Assert.Same(fault, await Assert.ThrowsAsync<LedgerDurabilityException>(() => ledger.AuditHeadAsync().WaitAsync(Deadline)));
        }

        // The first charge and the group, each once: a redo would have appended the group a second time.
        using var db = new LiteDatabase(ctx.DatabasePath);
        var seqs = StoredAuditRecords.Seqs(db.GetCollection(Collections.Audit));
        Assert.Equal(Enumerable.Range(1, 1 + GroupSize).Select(i => (long)i), seqs);
    }
}
