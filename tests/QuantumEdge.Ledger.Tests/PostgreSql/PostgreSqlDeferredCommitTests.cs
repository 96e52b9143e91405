using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.PostgreSql;
using QuantumEdge.Ledger.Writing;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>
/// Issue 7 item 22 on the PostgreSQL writer: deferrable outcome records share transactions, an
/// immediate charge is not held up by a linger, and closing the ledger commits lingering records at once
/// (the linger is ten minutes, so a writer that waited it out would miss the deadline).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlDeferredCommitTests(PostgresServerFixture fixture)
{
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static Task<PostgreSqlPrivacyLedger> OpenAsync(PostgreSqlLedgerTestContext ctx, int maxBatch = 4096) =>
        PostgreSqlPrivacyLedger.OpenAsync(ctx.Options() with { DeferredCommitLinger = Forever, MaxBatchSize = maxBatch }, ctx.ConnectionString);

    private static List<Task<long>> Outcomes(IPrivacyLedger ledger, int count) =>
        [.. Enumerable.Range(0, count).Select(i => ledger.RecordAsync(
            new AuditEntry { RequestId = $"outcome-{i}", UserId = "dr-a", HttpStatus = 200 }, CommitTiming.Deferrable))];

    [Fact]
    public async Task A_burst_of_deferrable_records_commits_in_full_groups_and_a_charge_commits_a_lingering_one_at_once()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using (var ledger = await OpenAsync(ctx, maxBatch: 50))
        {
            var before = ledger.CommitStats!.Value;
            await Task.WhenAll(Outcomes(ledger, 100)).WaitAsync(Deadline);
            var full = ledger.CommitStats!.Value;
            Assert.Equal(2, full.Commits - before.Commits);

            var lingering = Outcomes(ledger, 5);
            var charge = await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-b")).WaitAsync(Deadline);
            Assert.True(charge.Admitted);
            Assert.All(lingering, o => Assert.True(o.IsCompletedSuccessfully));
            var after = ledger.CommitStats!.Value;
            Assert.Equal(1, after.Commits - full.Commits);
            Assert.Equal(6, after.Operations - full.Operations);

            var closing = Outcomes(ledger, 3);
            await Task.Run(ledger.Dispose).WaitAsync(Deadline);
            Assert.All(closing, o => Assert.True(o.IsCompletedSuccessfully));
        }

        await using var reopened = await ctx.OpenAsync();
        Assert.Equal(109, (await reopened.ReadAuditAsync(0, 1000)).Count);
    }

    [Fact]
    public async Task After_a_loaded_group_the_next_lingers_four_times_as_long_and_a_small_group_ends_that()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await PostgreSqlPrivacyLedger.OpenAsync(
            ctx.Options() with { DeferredCommitLinger = TimeSpan.FromSeconds(1), MaxBatchSize = CommitLinger.LoadedGroupSize }, ctx.ConnectionString);
        await Task.WhenAll(Outcomes(ledger, CommitLinger.LoadedGroupSize)).WaitAsync(Deadline);

        var afterLoad = Outcomes(ledger, 1)[0];
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(afterLoad.IsCompleted, "the record after a loaded group committed within 2 s: it lingered only the configured 1 s");
        await afterLoad.WaitAsync(Deadline);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Outcomes(ledger, 1)[0].WaitAsync(Deadline);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"a record after a group of one took {clock.Elapsed.TotalSeconds:F1} s: the writer stayed loaded");
    }
}
