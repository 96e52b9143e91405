using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Ledger.Tests;

/// <summary>GDPR erasure of a user's budget rows keeps the ledger verifiable: the verifier reads the erasure as a reset of the rows it names.</summary>
public sealed class DataSubjectErasureTests
{
    [Fact]
    public async Task Erasing_a_users_rows_over_several_days_leaves_a_chain_that_verifies_now_and_at_reopen()
    {
        using var ctx = new LedgerTestContext();
        DataSubjectErasure erasure;
        using (var ledger = ctx.Open())
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.gone"));
            ctx.Time.Advance(TimeSpan.FromDays(1));
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.gone"));
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.stays"));

            erasure = await ledger.EraseDataSubjectAsync("dr.gone", new AdminActor { UserId = "dpo", RequestId = "e1", Reason = "x;days=1999-01-01" });

            Assert.Equal(2, erasure.BudgetRowsErased);
            Assert.Equal(2, erasure.Days.Count);
            var export = await ledger.ExportDataSubjectAsync("dr.gone", 100);
            Assert.Empty(export.BudgetRows);
            Assert.Equal(erasure.Pseudonym, export.Pseudonym);
            Assert.Equal(2, export.AuditRecords.Count(r => r.Entry.Decision == AuditDecisions.Admitted));
            Assert.Single((await ledger.ExportDataSubjectAsync("dr.stays", 100)).BudgetRows);
            var result = await ledger.VerifyAsync();
            Assert.True(result.IsValid, result.ToString());
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.gone"));
            Assert.Equal(1, (await ledger.GetBudgetAsync("dr.gone")).State.Queries);
        }

        using var reopened = ctx.Open();
        Assert.Null(reopened.ReadOnlyReason);
        var again = await reopened.VerifyAsync();
        Assert.True(again.IsValid, again.ToString());
    }

    [Fact]
    public async Task A_row_deleted_without_an_erasure_record_is_still_found()
    {
        using var ctx = new LedgerTestContext();
        using (var ledger = ctx.Open())
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.quiet"));
        }

        using (var db = new LiteDB.LiteDatabase(ctx.DatabasePath))
        {
            db.GetCollection("budgets").DeleteAll();
        }

        using var reopened = ctx.Open();
        var result = await reopened.VerifyAsync();
        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Export_is_capped_and_says_so()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        for (var i = 0; i < 3; i++)
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.many"));
        }

        var export = await ledger.ExportDataSubjectAsync("dr.many", 2);

        Assert.Equal(2, export.AuditRecords.Count);
        Assert.True(export.Truncated);
    }
}
