using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Tests.Batches;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>Batch and line state in the shared PostgreSQL database, seen by every replica.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlBatchStateStoreTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Create_get_and_list_round_trip()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await ctx.OpenAsync();
        await BatchStateChecks.Create_get_and_list_round_trip(ledger.BatchStates);
    }

    [Fact]
    public async Task Update_is_compare_and_set_on_the_version()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await ctx.OpenAsync();
        await BatchStateChecks.Update_is_compare_and_set_on_the_version(ledger.BatchStates);
    }

    [Fact]
    public async Task Lines_count_once_and_never_leave_a_final_status()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await ctx.OpenAsync();
        await BatchStateChecks.Lines_count_once_and_never_leave_a_final_status(ledger.BatchStates);
    }

    [Fact]
    public async Task The_lease_has_one_holder_until_it_expires()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await ctx.OpenAsync();
        await BatchStateChecks.The_lease_has_one_holder_until_it_expires(ledger.BatchStates, ctx.Time.Advance);
    }

    [Fact]
    public async Task Hostile_values_are_refused_naming_the_field()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        await using var ledger = await ctx.OpenAsync();
        await BatchStateChecks.Hostile_values_are_refused_naming_the_field(ledger.BatchStates);
    }

    [Fact]
    public async Task A_batch_created_on_one_replica_is_seen_and_cancelled_on_another_and_the_database_holds_no_plain_owner()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        using var ctx = new PostgreSqlLedgerTestContext(database);
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        var created = await a.BatchStates.CreateAsync(BatchStateChecks.NewBatch("batch_shared"));
        Assert.True(await a.BatchStates.TryLeaseAsync("batch_shared", "replica-a", TimeSpan.FromMinutes(1)));
        Assert.True(await a.BatchStates.RecordLineAsync("batch_shared", "replica-a", BatchStateChecks.Line(0, BatchLineStatuses.Done)));

        var seen = await b.BatchStates.GetAsync("batch_shared");
        Assert.Equal((BatchStateChecks.Subject, 1, "replica-a"), (seen!.Owner.Subject, seen.Completed, seen.LeaseHolder));
        Assert.Equal(["batch_shared"], (await b.BatchStates.ListAsync(ownerSubject: BatchStateChecks.Subject)).Select(x => x.Id));
        Assert.NotNull(await b.BatchStates.UpdateAsync(seen with { Status = "cancelling" }));
        Assert.Null(await a.BatchStates.UpdateAsync(created with { Status = "completed" }));
        Assert.Equal("cancelling", (await a.BatchStates.GetAsync("batch_shared"))!.Status);

        var name = database.Split("Database=")[1].Split(';')[0];
        var rows = await fixture.Server.PsqlAsync("SELECT row_to_json(b)::text FROM qe_batches b UNION ALL SELECT row_to_json(l)::text FROM qe_batch_lines l", name);
        Assert.DoesNotContain(BatchStateChecks.Subject, rows, StringComparison.Ordinal);
        Assert.DoesNotContain("oncology", rows, StringComparison.Ordinal);
        Assert.DoesNotContain("cardiology", rows, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replicas_racing_for_a_free_lease_give_it_to_exactly_one()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await fixture.Server.CreateDatabaseAsync());
        var replicas = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => ctx.OpenAsync($"replica-{i}")));
        try
        {
            await replicas[0].BatchStates.CreateAsync(BatchStateChecks.NewBatch("batch_race"));
            var won = await Task.WhenAll(replicas.Select((r, i) => Task.Run(() => r.BatchStates.TryLeaseAsync("batch_race", $"replica-{i}", TimeSpan.FromMinutes(1)))));

            Assert.Single(won, w => w);
            Assert.Equal($"replica-{Array.IndexOf(won, true)}", (await replicas[3].BatchStates.GetAsync("batch_race"))!.LeaseHolder);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }
}
