using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.Tests.LiteDb;

/// <summary>
/// Issue 7 item 22: outcome records nobody waits on (<see cref="CommitTiming.Deferrable"/>) share group
/// commits instead of paying one each, and nothing that is waited on is held up by that. The linger is
/// set to ten minutes wherever a test must not depend on it running out: the commits then happen only
/// for the reason under test (a full group, an immediate write, a flush, shutdown), so the counts are exact
/// and a writer that waited out the linger would fail the test's deadline instead of passing slowly.
/// </summary>
public sealed class DeferredCommitTests
{
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static LiteDbPrivacyLedger Open(LedgerTestContext ctx, TimeSpan linger, int maxBatch = 4096) =>
        LiteDbPrivacyLedger.Open(ctx.Options() with { DeferredCommitLinger = linger, MaxBatchSize = maxBatch });

    private static AuditEntry Outcome(int i) => new() { RequestId = $"outcome-{i}", UserId = "dr-a", HttpStatus = 200, Backend = "vllm-1" };

    private static List<Task<long>> Outcomes(LiteDbPrivacyLedger ledger, int count) =>
        Enumerable.Range(0, count).Select(i => ledger.RecordAsync(Outcome(i), CommitTiming.Deferrable)).ToList();

    private static async Task<List<string>> DurableRequestIdsAsync(LedgerTestContext ctx)
    {
        using var reopened = ctx.Open();
        var records = await reopened.ReadAuditAsync(0, 10_000);
        return [.. records.Select(r => r.Entry.RequestId)];
    }

    [Fact]
    public async Task A_burst_of_deferrable_records_shares_commits_and_all_are_durable_after()
    {
        using var ctx = new LedgerTestContext();
        using (var ledger = Open(ctx, Forever, maxBatch: 50))
        {
            var before = ledger.CommitStats!.Value;
            await Task.WhenAll(Outcomes(ledger, 200)).WaitAsync(Deadline);

            // Only full groups commit while the linger lasts: 4 commits of 50, not 200 of one.
            var after = ledger.CommitStats!.Value;
            Assert.Equal(4, after.Commits - before.Commits);
            Assert.Equal(200, after.Operations - before.Operations);
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"outcome-{i}"), await DurableRequestIdsAsync(ctx));
    }

    [Fact]
    public async Task A_charge_arriving_during_a_linger_commits_at_once_together_with_the_lingering_records()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = Open(ctx, Forever);
        var before = ledger.CommitStats!.Value;
        var outcomes = Outcomes(ledger, 5);

        var charge = await ledger.ChargeAsync(LedgerTestContext.Charge("dr-b")).WaitAsync(Deadline);

        Assert.True(charge.Admitted);
        Assert.All(outcomes, o => Assert.True(o.IsCompletedSuccessfully));
        var after = ledger.CommitStats!.Value;
        Assert.Equal(1, after.Commits - before.Commits);
        Assert.Equal(6, after.Operations - before.Operations);
        Assert.Equal(6, charge.AuditSeq);
        Assert.Equal([1L, 2, 3, 4, 5], outcomes.Select(o => o.Result));
    }

    [Fact]
    public async Task An_exclusive_read_during_a_linger_sees_the_lingering_records_committed()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = Open(ctx, Forever);
        var outcomes = Outcomes(ledger, 3);

        var (seq, _) = await ledger.AuditHeadAsync().WaitAsync(Deadline);

        Assert.Equal(3, seq);
        Assert.All(outcomes, o => Assert.True(o.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Flush_makes_lingering_records_durable_without_waiting_out_the_linger()
    {
        using var ctx = new LedgerTestContext();
        using (var ledger = Open(ctx, Forever))
        {
            var outcomes = Outcomes(ledger, 7);
            await ledger.FlushAsync().WaitAsync(Deadline);
            Assert.All(outcomes, o => Assert.True(o.IsCompletedSuccessfully));
        }

        Assert.Equal(7, (await DurableRequestIdsAsync(ctx)).Count);
    }

    [Fact]
    public async Task Dispose_commits_lingering_records_at_once()
    {
        using var ctx = new LedgerTestContext();
        var ledger = Open(ctx, Forever);
        var outcomes = Outcomes(ledger, 10);

        await Task.Run(ledger.Dispose).WaitAsync(Deadline);

        Assert.All(outcomes, o => Assert.True(o.IsCompletedSuccessfully));
        Assert.Equal(10, (await DurableRequestIdsAsync(ctx)).Count);
    }

    [Fact]
    public async Task A_lingering_group_commits_by_itself_when_the_linger_is_over()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = Open(ctx, TimeSpan.FromMilliseconds(5));

        var seq = await ledger.RecordAsync(Outcome(0), CommitTiming.Deferrable).WaitAsync(Deadline);

        Assert.Equal(1, seq);
        Assert.Equal(1, ledger.CommitStats!.Value.Operations);
    }

    [Fact]
    public async Task An_immediate_read_after_a_deferrable_refund_commits_it_and_sees_it()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = Open(ctx, Forever);
        var charge = await ledger.ChargeAsync(LedgerTestContext.Charge("dr-c")).WaitAsync(Deadline);

        var refund = ledger.RefundAsync(charge.AuditSeq, "no answer (status 502)", CommitTiming.Deferrable);
        var budget = await ledger.GetBudgetAsync("dr-c").WaitAsync(Deadline);

        // The read is immediate: it commits the lingering refund first and sees it.
        Assert.True(refund.IsCompletedSuccessfully);
        Assert.True((await refund).Refunded);
        Assert.Equal(0, budget.Spent);
    }

    [Fact]
    public async Task After_a_loaded_group_the_next_lingers_four_times_as_long_and_a_small_group_ends_that()
    {
        // A linger of 1 s: a full group of 64 (committed at once) marks the writer loaded, so the next
        // lone outcome record waits 4 s for company, not 1 s; its group of one ends the loaded state.
        using var ctx = new LedgerTestContext();
        using var ledger = Open(ctx, TimeSpan.FromSeconds(1), maxBatch: CommitLinger.LoadedGroupSize);
        await Task.WhenAll(Outcomes(ledger, CommitLinger.LoadedGroupSize)).WaitAsync(Deadline);

        var afterLoad = ledger.RecordAsync(Outcome(100), CommitTiming.Deferrable);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(afterLoad.IsCompleted, "the record after a loaded group committed within 2 s: it lingered only the configured 1 s");
        await afterLoad.WaitAsync(Deadline);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await ledger.RecordAsync(Outcome(101), CommitTiming.Deferrable).WaitAsync(Deadline);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"a record after a group of one took {clock.Elapsed.TotalSeconds:F1} s: the writer stayed loaded");
        Assert.Equal(CommitLinger.LoadedGroupSize + 2, ledger.CommitStats!.Value.Operations);
    }
}
