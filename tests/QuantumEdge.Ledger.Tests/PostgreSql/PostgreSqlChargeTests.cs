using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.PostgreSql;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>The <see cref="IPrivacyLedger"/> contract on a real PostgreSQL server, mirroring the embedded ledger's ChargeTests.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlChargeTests(PostgresServerFixture fixture)
{
    private async Task<PostgreSqlLedgerTestContext> ContextAsync(PrivacyPolicyOptions? policy = null) =>
        new(await fixture.Server.CreateDatabaseAsync(), policy);

    [Fact]
    public async Task Concurrent_charges_for_one_user_admit_exactly_what_the_policy_allows()
    {
        using var ctx = await ContextAsync();
        var expected = ctx.AffordableFromEmpty("cardiology");
        Assert.InRange(expected, 1, 199);
        await using (var ledger = await ctx.OpenAsync())
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 200)
                .Select(i => Task.Run(() => ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-concurrent", requestId: $"r{i}")))));
            Assert.Equal(expected, results.Count(r => r.Admitted));
            Assert.Equal(200, results.Select(r => r.AuditSeq).Distinct().Count());
            var budget = await ledger.GetBudgetAsync("dr-concurrent", "cardiology");
            Assert.Equal(expected, budget.State.Queries);
            Assert.True(budget.Spent <= budget.Budget + 1e-9);
            var verification = await ledger.VerifyAsync();
            Assert.True(verification.IsValid, verification.ToString());
            Assert.True(ledger.CommitStats!.Value.Commits <= 200);
        }

        // Every charge, admitted or refused, is audited and survives a reopen.
        await using var reopened = await ctx.OpenAsync();
        var records = await reopened.ReadAuditAsync(0, 1000);
        Assert.Equal(200, records.Count);
        Assert.Equal(expected, records.Count(r => r.Entry.Decision == AuditDecisions.Admitted));
        Assert.Equal(200 - expected, records.Count(r => r.Entry.Decision == AuditDecisions.RefusedInsufficientBudget));
        Assert.All(records, r => Assert.Equal("replica-a", r.Chain));
    }

    [Fact]
    public async Task Department_budget_overrides_the_user_default()
    {
        var options = new PrivacyPolicyOptions
        {
            EpsilonPerQuery = 0.1,
            MaxBudgetPerUser = 1.0,
            DepartmentBudgets = new Dictionary<string, double> { ["research"] = 0.5 },
        };
        using var ctx = await ContextAsync(options);
        await using var ledger = await ctx.OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("r1", "research"))));
        Assert.Equal(ctx.AffordableFromEmpty("research"), results.Count(r => r.Admitted));
        Assert.True(ctx.AffordableFromEmpty("research") < ctx.AffordableFromEmpty(null));
    }

    [Fact]
    public async Task Refund_releases_a_charge_once_and_is_audited()
    {
        using var ctx = await ContextAsync();
        await using var ledger = await ctx.OpenAsync();
        var first = await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u1"));
        var second = await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u1"));
        var spentTwo = (await ledger.GetBudgetAsync("u1")).Spent;

        var refund = await ledger.RefundAsync(second.AuditSeq, "backend_timeout");
        Assert.True(refund.Refunded);
        var after = await ledger.GetBudgetAsync("u1");
        Assert.Equal(1, after.State.Queries);
        Assert.Equal(first.Decision.SpentAfter, after.Spent, 9);
        Assert.Equal(spentTwo - after.Spent, refund.EpsilonReleased, 9);

        Assert.False((await ledger.RefundAsync(second.AuditSeq)).Refunded);
        Assert.False((await ledger.RefundAsync(refund.AuditSeq)).Refunded);
        Assert.False((await ledger.RefundAsync(9999)).Refunded);
        var refundRecord = Assert.Single(await ledger.ReadAuditAsync(0), r => r.Entry.Decision == AuditDecisions.Refunded);
        Assert.Equal(second.AuditSeq, refundRecord.Entry.RelatedSeq);
        Assert.Equal("u1", refundRecord.Entry.UserId);
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Admin_reset_clears_todays_budget_and_is_audited()
    {
        using var ctx = await ContextAsync();
        await using var ledger = await ctx.OpenAsync();
        while ((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u2", "icu"))).Admitted)
        {
        }

        var spent = await ledger.GetBudgetAsync("u2");
        var reset = await ledger.ResetBudgetAsync("u2", new AdminActor { UserId = "admin-1", RequestId = "req-reset", Reason = "incident-42" });
        var seq = reset.AuditSeq;
        Assert.True(spent.State.Queries > 0);
        Assert.Equal(spent.State.Queries, reset.QueriesReset);
        Assert.Equal(spent.Spent, reset.EpsilonReleased, 12);
        Assert.Equal(spent.DayKey, reset.DayKey);
        Assert.Equal(0, (await ledger.GetBudgetAsync("u2")).State.Queries);

        // A user with no spend that day (or a mistyped name): audited, and the answer says nothing was released.
        var nothing = await ledger.ResetBudgetAsync("u2-typo", new AdminActor { UserId = "admin-1", RequestId = "req-reset-2", Reason = "incident-42" });
        Assert.Equal(0, nothing.QueriesReset);
        Assert.Equal(0, nothing.EpsilonReleased);
        Assert.True(nothing.AuditSeq > seq);
        Assert.DoesNotContain(await ledger.ListBudgetsAsync(), b => b.UserId == "u2-typo");
        Assert.True((await ledger.VerifyAsync()).IsValid);
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u2", "icu"))).Admitted);

        var record = Assert.Single(await ledger.ReadAuditAsync(seq - 1, 1));
        Assert.Equal(AuditEventType.Admin, record.Entry.EventType);
        Assert.Equal(AuditDecisions.AdminBudgetReset, record.Entry.Decision);
        Assert.Equal("admin-1", record.Entry.UserId);
        Assert.DoesNotContain("u2", record.Entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_view_filters_by_user_and_department_and_a_refused_first_charge_leaves_no_row()
    {
        using var ctx = await ContextAsync(new PrivacyPolicyOptions
        {
            EpsilonPerQuery = 0.1,
            MaxBudgetPerUser = 1.0,
            DepartmentBudgets = new Dictionary<string, double> { ["closed"] = 0.01 },
        });
        await using var ledger = await ctx.OpenAsync();
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("a", "icu"));
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("b", "icu"));
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("c", "oncology"));
        Assert.False((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("d", "closed"))).Admitted);

        Assert.Equal(["a", "b"], (await ledger.ListBudgetsAsync(new BudgetFilter { Department = "icu" })).Select(b => b.UserId));
        var single = Assert.Single(await ledger.ListBudgetsAsync(new BudgetFilter { UserId = "c" }));
        Assert.Equal("oncology", single.Department);
        Assert.Equal(3, (await ledger.ListBudgetsAsync()).Count);
    }

    [Fact]
    public async Task Budget_day_rolls_over_and_retention_prunes_with_a_signed_anchor()
    {
        using var ctx = await ContextAsync();
        await using var ledger = await ctx.OpenAsync();
        while ((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u3"))).Admitted)
        {
        }

        ctx.Time.Advance(TimeSpan.FromDays(1));
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u3"))).Admitted);

        ctx.Time.Advance(TimeSpan.FromDays(3000));
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u3"));
        var pruned = await ledger.PruneAsync();
        Assert.True(pruned.AuditRecordsPruned > 0);
        Assert.Equal(2, pruned.BudgetRowsPruned);
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(pruned.FirstKeptSeq, verification.FirstSeq);
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u3"))).Admitted);
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Data_subject_export_and_erasure_keep_the_chain_verifiable()
    {
        using var ctx = await ContextAsync();
        await using var ledger = await ctx.OpenAsync();
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("patient-facing-dr"));
        ctx.Time.Advance(TimeSpan.FromDays(1));
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("patient-facing-dr"));
        await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("other"));

        var export = await ledger.ExportDataSubjectAsync("patient-facing-dr", 1);
        Assert.Equal(2, export.BudgetRows.Count);
        Assert.Single(export.AuditRecords);
        Assert.True(export.Truncated);

        var erasure = await ledger.EraseDataSubjectAsync("patient-facing-dr", new AdminActor { UserId = "dpo", RequestId = "gdpr-1", Reason = "art17" });
        Assert.Equal(2, erasure.BudgetRowsErased);
        Assert.Empty((await ledger.ExportDataSubjectAsync("patient-facing-dr", 10)).BudgetRows);
        Assert.Equal(1, (await ledger.GetBudgetAsync("other")).State.Queries);
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("patient-facing-dr"))).Admitted);
        Assert.Equal(1, (await ledger.GetBudgetAsync("patient-facing-dr")).State.Queries);
        Assert.True((await ledger.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Policy_reload_prices_later_charges_and_wrong_master_key_is_refused()
    {
        using var ctx = await ContextAsync();
        await using (var ledger = await ctx.OpenAsync())
        {
            await ledger.ApplyPolicyAsync(new PrivacyBudgetPolicy(new PrivacyPolicyOptions { EpsilonPerQuery = 0.1, MaxBudgetPerUser = 0.01 }));
            Assert.False((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u4"))).Admitted);
        }

        await Assert.ThrowsAsync<MasterKeyMismatchException>(() => ctx.OpenAsync(masterKey: "another-key"));
        await Assert.ThrowsAsync<MasterKeyMissingException>(() => ctx.OpenAsync(masterKey: null));
    }

    [Fact]
    public async Task A_master_key_ending_in_a_line_break_creates_no_ledger_and_is_named_when_it_does_not_match()
    {
        using var ctx = await ContextAsync();
        var refused = await Assert.ThrowsAsync<MasterKeyUnusableException>(() => ctx.OpenAsync(masterKey: PostgreSqlLedgerTestContext.MasterKey + "\n"));
        Assert.Contains(@"ends with a line break (\n)", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LedgerMissingException>(() => PostgreSqlPrivacyLedger.OpenAsync(ctx.Options() with { ReadOnly = true }, ctx.ConnectionString));

        await using (var ledger = await ctx.OpenAsync())
        {
            await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u5"));
        }

        var mismatch = await Assert.ThrowsAsync<MasterKeyMismatchException>(() => ctx.OpenAsync(masterKey: PostgreSqlLedgerTestContext.MasterKey + "\n"));
        Assert.Contains("The MASTER_KEY given ends with a line break", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_plain_user_id_or_department_is_stored()
    {
        using var ctx = await ContextAsync();
        await using (var ledger = await ctx.OpenAsync())
        {
            await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-zebra-unique", "dept-okapi-unique"));
            await ledger.RecordAsync(new AuditEntry { UserId = "dr-zebra-unique", Department = "dept-okapi-unique", Decision = AuditDecisions.Completed });
        }

        var database = ctx.ConnectionString.Split("Database=")[1];
        var dump = await fixture.Server.PsqlAsync(
            "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM qe_audit) t UNION ALL SELECT string_agg(b::text, ' ') FROM qe_budgets b", database);
        Assert.DoesNotContain("zebra", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("okapi", dump, StringComparison.Ordinal);
        Assert.Contains("admitted", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_refuses_naming_pg_dump()
    {
        using var ctx = await ContextAsync();
        await using var ledger = await ctx.OpenAsync();
        var refusal = await Assert.ThrowsAsync<LedgerException>(() => ledger.BackupAsync(Path.Combine(ctx.Root, "backup")));
        Assert.Contains("pg_dump", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("audit verify", refusal.Message, StringComparison.Ordinal);
    }
}
