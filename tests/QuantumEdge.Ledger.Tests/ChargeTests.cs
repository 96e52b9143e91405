using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Tests;

public sealed class ChargeTests
{
    private static long AffordableFromEmpty(PrivacyPolicyOptions options, string? department)
    {
        var policy = new PrivacyBudgetPolicy(options);
        var state = default(BudgetState);
        long admitted = 0;
        while (true)
        {
            var decision = policy.Evaluate(state, department);
            if (!decision.Admitted)
            {
                return admitted;
            }

            state = decision.After;
            admitted++;
        }
    }

    [Fact]
    public async Task Concurrent_charges_for_one_user_admit_exactly_what_the_policy_allows()
    {
        using var ctx = new LedgerTestContext();
        var expected = AffordableFromEmpty(ctx.Policy, "cardiology");
        Assert.InRange(expected, 1, 199);

        long admitted;
        using (var ledger = ctx.Open())
        {
            var tasks = Enumerable.Range(0, 200)
                .Select(i => Task.Run(() => ledger.ChargeAsync(LedgerTestContext.Charge("dr-concurrent", requestId: $"r{i}"))))
                .ToArray();
            var results = await Task.WhenAll(tasks);
            admitted = results.Count(r => r.Admitted);
            Assert.Equal(expected, admitted);
            Assert.All(results.Where(r => !r.Admitted), r => Assert.True(r.Decision.SpentBefore <= r.Decision.Budget + 1e-9));
            Assert.Equal(200, results.Select(r => r.AuditSeq).Distinct().Count());

            var budget = await ledger.GetBudgetAsync("dr-concurrent", "cardiology");
            Assert.Equal(expected, budget.State.Queries);
            Assert.True(budget.Spent <= budget.Budget + 1e-9);
            Assert.True((await ledger.VerifyAsync()).IsValid);
        }

        // Every charge, admitted or refused, is audited.
        using var reopened = ctx.Open();
        var records = await reopened.ReadAuditAsync(0, 1000);
        Assert.Equal(200, records.Count);
        Assert.Equal(expected, records.Count(r => r.Entry.Decision == AuditDecisions.Admitted));
        Assert.Equal(200 - expected, records.Count(r => r.Entry.Decision == AuditDecisions.RefusedInsufficientBudget));
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
        using var ctx = new LedgerTestContext(options);
        using var ledger = ctx.Open();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => ledger.ChargeAsync(LedgerTestContext.Charge("r1", "research"))));
        Assert.Equal(AffordableFromEmpty(options, "research"), results.Count(r => r.Admitted));
        Assert.True(AffordableFromEmpty(options, "research") < AffordableFromEmpty(options, null));
    }

    [Fact]
    public async Task Acknowledged_charges_survive_reopen()
    {
        using var ctx = new LedgerTestContext(new PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        using (var ledger = ctx.Open())
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(i => ledger.ChargeAsync(LedgerTestContext.Charge($"user-{i % 5}"))));
        }

        using var reopened = ctx.Open();
        for (var u = 0; u < 5; u++)
        {
            Assert.Equal(10, (await reopened.GetBudgetAsync($"user-{u}")).State.Queries);
        }

        var all = await reopened.ListBudgetsAsync();
        Assert.Equal(5, all.Count);
        Assert.Equal(50, all.Sum(b => b.State.Queries));
        var verification = await reopened.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(50, verification.LastSeq);
    }

    [Fact]
    public async Task Refund_releases_a_charge_once_and_is_audited()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        var first = await ledger.ChargeAsync(LedgerTestContext.Charge("u1"));
        var second = await ledger.ChargeAsync(LedgerTestContext.Charge("u1"));
        var spentTwo = (await ledger.GetBudgetAsync("u1")).Spent;

        var refund = await ledger.RefundAsync(second.AuditSeq, "backend_timeout");
        Assert.True(refund.Refunded);
        var after = await ledger.GetBudgetAsync("u1");
        Assert.Equal(1, after.State.Queries);
        Assert.Equal(first.Decision.SpentAfter, after.Spent, 9);
        Assert.Equal(spentTwo - after.Spent, refund.EpsilonReleased, 9);

        Assert.False((await ledger.RefundAsync(second.AuditSeq)).Refunded);
        Assert.False((await ledger.RefundAsync(refund.AuditSeq)).Refunded);
        var records = await ledger.ReadAuditAsync(0);
        var refundRecord = Assert.Single(records, r => r.Entry.Decision == AuditDecisions.Refunded);
        Assert.Equal(second.AuditSeq, refundRecord.Entry.RelatedSeq);
        Assert.Equal("u1", refundRecord.Entry.UserId);
    }

    [Fact]
    public async Task Admin_reset_clears_todays_budget_and_is_audited()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        while ((await ledger.ChargeAsync(LedgerTestContext.Charge("u2", "icu"))).Admitted)
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
        Assert.True((await ledger.ChargeAsync(LedgerTestContext.Charge("u2", "icu"))).Admitted);

        var record = Assert.Single(await ledger.ReadAuditAsync(seq - 1, 1));
        Assert.Equal(AuditEventType.Admin, record.Entry.EventType);
        Assert.Equal(AuditDecisions.AdminBudgetReset, record.Entry.Decision);
        Assert.Equal("admin-1", record.Entry.UserId);
        Assert.DoesNotContain("u2", record.Entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_view_filters_by_user_and_department()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        await ledger.ChargeAsync(LedgerTestContext.Charge("a", "icu"));
        await ledger.ChargeAsync(LedgerTestContext.Charge("b", "icu"));
        await ledger.ChargeAsync(LedgerTestContext.Charge("c", "oncology"));

        Assert.Equal(["a", "b"], (await ledger.ListBudgetsAsync(new BudgetFilter { Department = "icu" })).Select(b => b.UserId));
        var single = Assert.Single(await ledger.ListBudgetsAsync(new BudgetFilter { UserId = "c" }));
        Assert.Equal("oncology", single.Department);
        Assert.Equal(3, (await ledger.ListBudgetsAsync()).Count);
    }

    [Fact]
    public async Task Budget_day_rolls_over_at_the_window()
    {
        using var ctx = new LedgerTestContext();
        using var ledger = ctx.Open();
        var first = await ledger.ChargeAsync(LedgerTestContext.Charge("night-shift"));
        ctx.Time.Advance(TimeSpan.FromDays(1));
        var next = await ledger.ChargeAsync(LedgerTestContext.Charge("night-shift"));
        Assert.NotEqual(first.DayKey, next.DayKey);
        Assert.Equal(1, (await ledger.GetBudgetAsync("night-shift")).State.Queries);
    }
}
