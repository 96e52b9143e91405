using System.Text;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.PostgreSql;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>Several ledger instances (replicas) on one database: one budget, separate chains.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlReplicaTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Two_replicas_charging_one_user_concurrently_admit_exactly_the_budget_and_both_chains_verify()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        var expected = ctx.AffordableFromEmpty("cardiology");
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        IPrivacyLedger[] replicas = [a, b];
        var results = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => replicas[i % 2].ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-shared", requestId: $"r{i}")))));

        Assert.Equal(expected, results.Count(r => r.Admitted));
        Assert.Equal(expected, (await a.GetBudgetAsync("dr-shared")).State.Queries);
        Assert.Equal(expected, (await b.GetBudgetAsync("dr-shared")).State.Queries);
        var verification = await a.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(200, verification.RecordsChecked);
        Assert.Equal(2, verification.CheckpointsChecked);

        // Each replica's records are on its own chain; together they hold every charge, admitted or refused.
        var chainA = await a.ReadAuditAsync(0, 1000);
        var chainB = await b.ReadAuditAsync(0, 1000);
        Assert.Equal(100, chainA.Count);
        Assert.Equal(100, chainB.Count);
        Assert.All(chainA, r => Assert.Equal("replica-a", r.Chain));
        Assert.All(chainB, r => Assert.Equal("replica-b", r.Chain));
        Assert.Equal(expected, chainA.Concat(chainB).Count(r => r.Entry.Decision == AuditDecisions.Admitted));
    }

    [Fact]
    public async Task A_replica_finds_another_replicas_unrefunded_charges_by_request_id_and_refunds_them_on_their_chain_once()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        var since = ctx.Time.GetUtcNow();
        // Replica a charged two lines of batch_x (one refunded), and a line of another batch; b charged a line of its own.
        var line0 = await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-batch", requestId: "batch_x-line-0"));
        var line1 = await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-batch", requestId: "batch_x-line-1"));
        Assert.True((await a.RefundAsync(line1.AuditSeq, "backend_timeout")).Refunded);
        await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-batch", requestId: "batch_y-line-0"));
        // '_' is a LIKE wildcard: a prefix match that used LIKE would find this one too.
        await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-batch", requestId: "batchXx-line-0"));
        var own = await b.ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-batch", requestId: "batch_x-line-2"));
        // The seqs collide across chains: b's own record at a's line-0 seq must not be what a refund of a's charge touches.
        Assert.Equal(line0.AuditSeq, own.AuditSeq);

        var found = await b.FindUnrefundedChargesAsync("batch_x-line-", since);
        Assert.Equal(
            [("replica-a", line0.AuditSeq, "batch_x-line-0"), ("replica-b", own.AuditSeq, "batch_x-line-2")],
            found.Select(c => (c.Chain, c.Seq, c.RequestId)).ToList());
        Assert.All(found, c => Assert.True(c.Epsilon > 0));
        Assert.Empty(await b.FindUnrefundedChargesAsync("batch_x-line-", since + TimeSpan.FromMinutes(1)));

        var queriesBefore = (await b.GetBudgetAsync("dr-batch")).State.Queries;
        var refund = await b.RefundAsync("replica-a", line0.AuditSeq, "taken over");
        Assert.True(refund.Refunded, refund.Reason);
        Assert.Equal(queriesBefore - 1, (await b.GetBudgetAsync("dr-batch")).State.Queries);
        // Once, whichever replica asks again; b's own charge with the same seq is untouched.
        Assert.False((await b.RefundAsync("replica-a", line0.AuditSeq)).Refunded);
        Assert.False((await a.RefundAsync(line0.AuditSeq)).Refunded);
        Assert.Equal([("replica-b", own.AuditSeq)], (await a.FindUnrefundedChargesAsync("batch_x-line-", since)).Select(c => (c.Chain, c.Seq)).ToList());

        // The refund is on b's chain, naming a's chain for its related seq; every chain still verifies.
        var record = Assert.Single(await b.ReadAuditAsync(0), r => r.Entry.Decision == AuditDecisions.Refunded);
        Assert.Equal(line0.AuditSeq, record.Entry.RelatedSeq);
        Assert.Equal("charge_chain=replica-a;taken over", record.Entry.Detail);
        Assert.Equal("dr-batch", record.Entry.UserId);
        var verification = await a.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Fact]
    public async Task Three_instances_creating_the_schema_at_once_all_open_on_one_schema()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        var ledgers = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Task.Run(() => ctx.OpenAsync($"replica-{i}"))));
        try
        {
            await Task.WhenAll(ledgers.Select(l => l.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))));
            Assert.Equal(3, (await ledgers[0].GetBudgetAsync("u")).State.Queries);
            Assert.True((await ledgers[2].VerifyAsync()).IsValid);
        }
        finally
        {
            foreach (var ledger in ledgers)
            {
                await ledger.DisposeAsync();
            }
        }

        var database = ctx.ConnectionString.Split("Database=")[1];
        Assert.Equal(string.Join(",", Enumerable.Range(1, PostgreSqlSchema.CurrentVersion)), (await fixture.Server.PsqlAsync("SELECT string_agg(version::text, ',') FROM qe_schema_version", database)).Trim());
        Assert.Equal("1", (await fixture.Server.PsqlAsync("SELECT count(*) FROM qe_ledger_meta", database)).Trim());
        Assert.Equal("3", (await fixture.Server.PsqlAsync("SELECT count(*) FROM qe_chains", database)).Trim());
    }

    [Fact]
    public async Task Export_merges_every_chain_by_time_and_names_the_chain()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        var start = ctx.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u-a"));
            ctx.Time.Advance(TimeSpan.FromMinutes(1));
            await b.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u-b"));
            ctx.Time.Advance(TimeSpan.FromMinutes(1));
        }

        using var jsonl = new MemoryStream();
        Assert.Equal(6, await a.ExportAsync(jsonl, start, start.AddHours(1), AuditExportFormat.Jsonl));
        var lines = Encoding.UTF8.GetString(jsonl.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["\"chain\":\"replica-a\"", "\"chain\":\"replica-b\"", "\"chain\":\"replica-a\"", "\"chain\":\"replica-b\"", "\"chain\":\"replica-a\"", "\"chain\":\"replica-b\""],
            lines.Select(l => l.Contains("\"chain\":\"replica-a\"", StringComparison.Ordinal) ? "\"chain\":\"replica-a\"" : "\"chain\":\"replica-b\""));
        Assert.All(lines, l => Assert.DoesNotContain("u-c", l, StringComparison.Ordinal));
        Assert.Contains("\"user\":\"u-b\"", lines[1], StringComparison.Ordinal);

        using var csv = new MemoryStream();
        Assert.Equal(2, await b.ExportAsync(csv, start, start.AddMinutes(2), AuditExportFormat.Csv));
        var rows = Encoding.UTF8.GetString(csv.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",chain", rows[0], StringComparison.Ordinal);
        Assert.EndsWith(",replica-a", rows[1], StringComparison.Ordinal);
        Assert.EndsWith(",replica-b", rows[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privacy_report_counts_every_chain()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        var from = ctx.Time.GetUtcNow();
        await a.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u-a", "icu"));
        await b.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u-b", "icu"));
        await b.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u-c", "oncology"));

        var report = await a.ReportAsync(from, from.AddDays(1));
        Assert.Equal(3, report.Admitted);
        var icu = Assert.Single(report.Departments, d => d.Department == "icu");
        Assert.Equal(2, icu.Users);
        Assert.True(report.Verification.IsValid);
    }

    [Fact]
    public async Task A_replica_with_another_node_key_is_refused()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var a = await ctx.OpenAsync("replica-a");
        using var otherKey = QuantumEdge.Ledger.Crypto.NodeIdentity.Generate();
        var refusal = await Assert.ThrowsAsync<LedgerException>(() =>
            PostgreSqlPrivacyLedger.OpenAsync(ctx.Options("replica-b") with { NodeIdentity = otherKey }, ctx.ConnectionString));
        Assert.Contains("same shared node key", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public void Replica_ids_that_cannot_name_a_chain_are_refused(string id)
    {
        if (id.Length == 0)
        {
            Assert.Equal(Environment.MachineName, PostgreSqlPrivacyLedger.ResolveReplicaId(id));
            return;
        }

        Assert.Throws<LedgerException>(() => PostgreSqlPrivacyLedger.ResolveReplicaId(id));
    }
}
