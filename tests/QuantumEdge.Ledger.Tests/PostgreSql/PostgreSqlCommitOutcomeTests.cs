using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.PostgreSql;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>
/// The connection breaks after COMMIT reached the server and before its answer came back: the
/// transaction is committed, the ledger cannot know it. The caller must be told the outcome is
/// unknown (not "nothing was written"), and the chain must carry on after the commit that happened.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlCommitOutcomeTests(PostgresServerFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private async Task<(PostgreSqlLedgerTestContext Context, CommitCuttingProxy Proxy)> ProxiedAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await fixture.Server.CreateDatabaseAsync());
        var proxy = new CommitCuttingProxy(direct.Host!, direct.Port);
        direct.Port = proxy.Port;
        return (new PostgreSqlLedgerTestContext(direct.ConnectionString), proxy);
    }

    [Fact]
    public async Task A_record_whose_commit_answer_is_lost_is_reported_as_unknown_and_the_chain_continues_after_it()
    {
        var (ctx, proxy) = await ProxiedAsync();
        await using var _ = proxy;
        using var __ = ctx;
        await using var ledger = await ctx.OpenAsync();
        var before = await ledger.RecordAsync(new AuditEntry { RequestId = "before-cut" });

        proxy.CutNextCommit();
        var error = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.RecordAsync(new AuditEntry { RequestId = "commit-answer-lost" }))
            .WaitAsync(Deadline);

        Assert.Equal(1, proxy.CommitsCut);
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was written", error.Message, StringComparison.Ordinal);

        // The commit did happen: the next record follows the lost one, and the chain verifies.
        var after = await ledger.RecordAsync(new AuditEntry { RequestId = "after-cut" }).WaitAsync(Deadline);
        Assert.Equal(before + 2, after);
        var records = await ledger.ReadAuditAsync(before - 1);
        Assert.Equal(["before-cut", "commit-answer-lost", "after-cut"], records.Select(r => r.Entry.RequestId));
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Fact]
    public async Task A_charge_whose_commit_answer_is_lost_is_refused_as_unknown_and_stays_spent_never_charged_twice()
    {
        var (ctx, proxy) = await ProxiedAsync();
        await using var _ = proxy;
        using var __ = ctx;
        await using var ledger = await ctx.OpenAsync();
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-a"))).Admitted);

        proxy.CutNextCommit();
        var error = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-a")))
            .WaitAsync(Deadline);
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("may stay spent", error.Message, StringComparison.Ordinal);

        // What the message says: the refused charge was committed and counts; nothing counted twice.
        Assert.Equal(2, (await ledger.GetBudgetAsync("dr-a")).State.Queries);
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-a"))).Admitted);
        Assert.Equal(3, (await ledger.GetBudgetAsync("dr-a")).State.Queries);
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Fact]
    public async Task A_retention_run_whose_commit_answer_is_lost_is_reported_as_unknown_and_the_next_write_follows_it()
    {
        var (ctx, proxy) = await ProxiedAsync();
        await using var _ = proxy;
        using var __ = ctx;
        await using var ledger = await ctx.OpenAsync();
        var before = await ledger.RecordAsync(new AuditEntry { RequestId = "before-prune" });

        proxy.CutNextCommit();
        var error = await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.PruneAsync()).WaitAsync(Deadline);
        Assert.Contains("outcome is unknown", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was written", error.Message, StringComparison.Ordinal);

        // The prune's own audit record was committed; the next record follows it.
        var after = await ledger.RecordAsync(new AuditEntry { RequestId = "after-prune" }).WaitAsync(Deadline);
        Assert.Equal(before + 2, after);
        Assert.Equal("retention", (await ledger.ReadAuditAsync(before)).First().Entry.RequestId);
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }
}
