using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Privacy;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests;

/// <summary>What a writable open verifies: everything up to a size, beyond it a background verification (issue 7, finding 3).</summary>
public sealed class OpenVerificationTests
{
    private static async Task<LedgerTestContext> BuildAsync(int records = 30)
    {
        var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        using var ledger = ctx.Open();
        // Concurrent batches: a few group commits instead of one fsync per record.
        for (var done = 0; done < records; done += 1000)
        {
            await Task.WhenAll(Enumerable.Range(done, Math.Min(1000, records - done)).Select(i => ledger.ChargeAsync(LedgerTestContext.Charge($"u{i % 4}"))));
        }

        return ctx;
    }

    /// <summary>Changes one character of record 3's request id: the record's hash no longer matches.</summary>
    private static void ChangeOneByteOfRecord3(LedgerTestContext ctx)
    {
        using var db = new LiteDatabase(ctx.DatabasePath);
        StoredAuditRecords.Change(db.GetCollection("audit"), 3, doc =>
        {
            var rid = doc["rid"].AsString;
            doc["rid"] = (rid[0] == 'a' ? 'b' : 'a') + rid[1..];
        });
    }

    [Fact]
    public async Task A_change_in_the_middle_of_a_short_chain_opens_read_only()
    {
        using var ctx = await BuildAsync();
        ChangeOneByteOfRecord3(ctx);

        using var ledger = ctx.Open();
        Assert.NotNull(ledger.ReadOnlyReason);
        Assert.Contains("seq 3", ledger.ReadOnlyReason, StringComparison.Ordinal);
        Assert.False(ledger.BackgroundVerificationDue);
        await Assert.ThrowsAsync<LedgerTamperedException>(() => ledger.ChargeAsync(LedgerTestContext.Charge("x")));
    }

    [Fact]
    public async Task A_long_chain_is_verified_in_the_background_which_turns_it_read_only()
    {
        using var ctx = await BuildAsync();
        ChangeOneByteOfRecord3(ctx);

        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { FullVerificationAtOpenMaxRecords = 10 });
        Assert.Null(ledger.ReadOnlyReason);
        Assert.True(ledger.BackgroundVerificationDue);
        Assert.True((await ledger.ChargeAsync(LedgerTestContext.Charge("x"))).Admitted);

        var result = await ledger.VerifyInBackgroundAsync();
        Assert.False(result.IsValid);
        Assert.Equal(3, result.FirstProblem!.Seq);
        Assert.Contains("seq 3", ledger.ReadOnlyReason, StringComparison.Ordinal);
        Assert.False(ledger.BackgroundVerificationDue);
        await Assert.ThrowsAsync<LedgerTamperedException>(() => ledger.ChargeAsync(LedgerTestContext.Charge("x")));
    }

    [Fact]
    public async Task Background_verification_lets_charges_through_and_covers_them()
    {
        using var ctx = await BuildAsync(records: 20_000);
        using var ledger = LiteDbPrivacyLedger.Open(ctx.Options() with { FullVerificationAtOpenMaxRecords = 10 });
        var verification = ledger.VerifyInBackgroundAsync();
        var charges = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => ledger.ChargeAsync(LedgerTestContext.Charge($"late{i}"))));
        var result = await verification;

        Assert.True(result.IsValid, result.ToString());
        Assert.All(charges, c => Assert.True(c.Admitted));
        Assert.InRange(result.LastSeq, 20_000, 20_050);
        Assert.Null(ledger.ReadOnlyReason);
    }
}
