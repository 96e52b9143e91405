using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Privacy;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests;

/// <summary>Budget rows have the audit records' integrity: a MAC per row and a cross-check against the chain (issue 7, finding 2).</summary>
public sealed class BudgetIntegrityTests
{
    private const string User = "dr.alice";

    private static async Task<LedgerTestContext> BuildAsync()
    {
        var ctx = new LedgerTestContext(new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 10 });
        using var ledger = ctx.Open();
        for (var i = 0; i < 4; i++)
        {
            await ledger.ChargeAsync(LedgerTestContext.Charge(User));
            await ledger.ChargeAsync(LedgerTestContext.Charge("dr.bob"));
        }

        return ctx;
    }

    private static string Tamper(LedgerTestContext ctx, Action<ILiteCollection<BsonDocument>, BsonDocument> change)
    {
        using var db = new LiteDatabase(ctx.DatabasePath);
        var budgets = db.GetCollection("budgets");
        var row = budgets.FindAll().First(d => d["q"].AsInt64 == 4);
        change(budgets, row);
        return row["_id"].AsString;
    }

    [Fact]
    public async Task Zeroed_spend_fields_make_verify_fail_naming_the_row_and_the_ledger_open_read_only()
    {
        using var ctx = await BuildAsync();
        var rowId = Tamper(ctx, (budgets, row) =>
        {
            row["q"] = 0L;
            row["rdp"] = 0.0;
            row["basic"] = 0.0;
            budgets.Update(row);
        });

        using var ledger = ctx.Open();
        Assert.NotNull(ledger.ReadOnlyReason);
        Assert.Contains(rowId, ledger.ReadOnlyReason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LedgerTamperedException>(() => ledger.ChargeAsync(LedgerTestContext.Charge(User)));

        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        var tampered = Assert.Single(result.Problems, p => p.Kind == VerificationProblemKind.BudgetRowTampered);
        Assert.Contains(rowId, tampered.Message, StringComparison.Ordinal);
        Assert.Contains(result.Problems, p => p.Kind == VerificationProblemKind.BudgetRowDisagreesWithChain && p.Message.Contains(rowId, StringComparison.Ordinal));
        Assert.DoesNotContain(User, result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(User, ledger.ReadOnlyReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_budget_row_is_found_by_the_chain_cross_check()
    {
        using var ctx = await BuildAsync();
        var rowId = Tamper(ctx, (budgets, row) => budgets.Delete(row["_id"]));

        using var ledger = ctx.Open();
        var result = await ledger.VerifyAsync();
        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(VerificationProblemKind.BudgetRowDisagreesWithChain, problem.Kind);
        Assert.Contains(rowId, problem.Message, StringComparison.Ordinal);
        Assert.StartsWith("ledger INVALID", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refunds_and_resets_keep_rows_and_chain_in_agreement()
    {
        using var ctx = await BuildAsync();
        using var ledger = ctx.Open();
        var charge = await ledger.ChargeAsync(LedgerTestContext.Charge(User));
        Assert.True((await ledger.RefundAsync(charge.AuditSeq, "no answer")).Refunded);
        await ledger.ResetBudgetAsync("dr.bob", new AdminActor { UserId = "admin", RequestId = "r1", Reason = "x;day=1999-01-01" });
        await ledger.ChargeAsync(LedgerTestContext.Charge("dr.bob"));
        Assert.Equal(1, (await ledger.GetBudgetAsync("dr.bob")).State.Queries);
        ctx.Time.Advance(TimeSpan.FromDays(1));
        await ledger.ChargeAsync(LedgerTestContext.Charge(User));

        var result = await ledger.VerifyAsync();
        Assert.True(result.IsValid, result.ToString());
    }

    /// <summary>Turns a current store back into schema 1: no MACs, version 1.</summary>
    private static void Downgrade(LedgerTestContext ctx, Action<ILiteCollection<BsonDocument>>? alsoTamper = null)
    {
        using var db = new LiteDatabase(ctx.DatabasePath);
        var budgets = db.GetCollection("budgets");
        foreach (var doc in budgets.FindAll().ToList())
        {
            doc.Remove("mac");
            budgets.Update(doc);
        }

        alsoTamper?.Invoke(budgets);

        // Schema 1 stored each audit record as a document of its own.
        StoredAuditRecords.RewriteOnePerDocument(db.GetCollection("audit"), records => records);
        db.GetCollection("meta").Upsert(new BsonDocument { ["_id"] = "schema", ["version"] = 1 });
    }

    private static int SchemaVersion(LedgerTestContext ctx)
    {
        using var db = new LiteDatabase(ctx.DatabasePath);
        return db.GetCollection("meta").FindById("schema")["version"].AsInt32;
    }

    [Fact]
    public async Task Migration_seals_existing_rows_when_the_chain_agrees()
    {
        using var ctx = await BuildAsync();
        Downgrade(ctx);
        using (var ledger = ctx.Open())
        {
            Assert.Null(ledger.ReadOnlyReason);
            Assert.True((await ledger.VerifyAsync()).IsValid);
            Assert.Equal(5, (await ledger.ChargeAsync(LedgerTestContext.Charge(User))).Decision.After.Queries);
        }

        Assert.Equal(SchemaMigrations.CurrentVersion, SchemaVersion(ctx));
        using (var db = new LiteDatabase(ctx.DatabasePath))
        {
            Assert.All(db.GetCollection("budgets").FindAll(), d => Assert.True(d["mac"].IsBinary));
        }
    }

    [Fact]
    public async Task Migration_refuses_to_seal_rows_the_chain_disagrees_with()
    {
        using var ctx = await BuildAsync();
        Downgrade(ctx, budgets =>
        {
            var row = budgets.FindAll().First();
            row["q"] = 0L;
            budgets.Update(row);
        });

        using (var ledger = ctx.Open())
        {
            Assert.NotNull(ledger.ReadOnlyReason);
            Assert.Contains("not sealed", ledger.ReadOnlyReason, StringComparison.Ordinal);
        }

        Assert.Equal(1, SchemaVersion(ctx));
    }
}
