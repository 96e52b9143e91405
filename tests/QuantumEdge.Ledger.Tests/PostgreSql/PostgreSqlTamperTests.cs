using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>Changes made in the database behind the node's back: verification names the chain and record, and a reopen is read-only.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlTamperTests(PostgresServerFixture fixture)
{
    private async Task<(PostgreSqlLedgerTestContext Ctx, string Database)> TwoChainsAsync()
    {
        var connection = await fixture.Server.CreateDatabaseAsync();
        var ctx = new PostgreSqlLedgerTestContext(connection, new Privacy.PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        await using (var a = await ctx.OpenAsync("replica-a"))
        await using (var b = await ctx.OpenAsync("replica-b"))
        {
            for (var i = 0; i < 5; i++)
            {
                await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u1"));
                await b.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u2"));
            }

            Assert.True((await a.VerifyAsync()).IsValid);
        }

        return (ctx, connection.Split("Database=")[1]);
    }

    [Fact]
    public async Task Deleted_chain_tail_is_detected_by_the_signed_head_naming_the_chain_and_reopen_is_read_only()
    {
        var (ctx, database) = await TwoChainsAsync();
        using var _ = ctx;
        await fixture.Server.PsqlAsync("DELETE FROM qe_audit WHERE chain = 'replica-b' AND seq >= 4", database);

        await using var a = await ctx.OpenAsync("replica-a");
        var result = await a.VerifyAsync();
        var problem = Assert.Single(result.Problems);
        Assert.Equal(VerificationProblemKind.Truncated, problem.Kind);
        Assert.Equal(4, problem.Seq);
        Assert.Contains("chain 'replica-b'", problem.Message, StringComparison.Ordinal);
        Assert.NotNull(a.ReadOnlyReason);
        await Assert.ThrowsAnyAsync<LedgerException>(() => a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u1")));
    }

    [Fact]
    public async Task Edited_record_is_detected_at_its_seq_naming_the_chain()
    {
        var (ctx, database) = await TwoChainsAsync();
        using var _ = ctx;
        await fixture.Server.PsqlAsync("UPDATE qe_audit SET epsilon = 0 WHERE chain = 'replica-a' AND seq = 3", database);

        await using var b = await ctx.OpenAsync("replica-b");
        var result = await b.VerifyAsync();
        Assert.False(result.IsValid);
        Assert.Equal(VerificationProblemKind.HashMismatch, result.FirstProblem!.Kind);
        Assert.Equal(3, result.FirstProblem.Seq);
        Assert.Contains("chain 'replica-a'", result.FirstProblem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_middle_record_a_record_appended_without_the_key_and_a_deleted_head_are_each_detected()
    {
        var (ctx, database) = await TwoChainsAsync();
        using var _ = ctx;
        await fixture.Server.PsqlAsync("DELETE FROM qe_audit WHERE chain = 'replica-a' AND seq = 2", database);
        await fixture.Server.PsqlAsync(
            "INSERT INTO qe_audit (chain, seq, time_ticks, event_type, prompt_tokens, completion_tokens, http_status, latency_ms, epsilon, prev_hash, hash) " +
            "SELECT chain, seq + 1, time_ticks, event_type, 0, 0, 0, 0, 0, hash, hash FROM qe_audit WHERE chain = 'replica-b' AND seq = 5", database);
        await fixture.Server.PsqlAsync("INSERT INTO qe_audit (chain, seq, time_ticks, event_type, prompt_tokens, completion_tokens, http_status, latency_ms, epsilon, prev_hash, hash) " +
            "VALUES ('ghost', 1, 0, 0, 0, 0, 0, 0, 0, '\\x00', '\\x00')", database);

        await using var a = await ctx.OpenAsync("replica-a");
        var kinds = (await a.VerifyAsync()).Problems.Select(p => (p.Kind, p.Message)).ToList();
        Assert.Contains(kinds, p => p.Kind == VerificationProblemKind.MissingRecord && p.Message.Contains("chain 'replica-a': record 2", StringComparison.Ordinal));
        Assert.Contains(kinds, p => p.Kind == VerificationProblemKind.UnsignedTail && p.Message.Contains("chain 'replica-b'", StringComparison.Ordinal));
        Assert.Contains(kinds, p => p.Kind == VerificationProblemKind.HeadMissing && p.Message.Contains("chain 'ghost'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Zeroed_budget_row_fails_verification_and_turns_the_ledger_read_only()
    {
        var (ctx, database) = await TwoChainsAsync();
        using var _ = ctx;
        await fixture.Server.PsqlAsync("UPDATE qe_budgets SET queries = 0, rdp_rate = 0, basic_epsilon = 0", database);

        await using var a = await ctx.OpenAsync("replica-a");
        var result = await a.VerifyAsync();
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.BudgetRowTampered);
        Assert.NotNull(a.ReadOnlyReason);
    }
}
