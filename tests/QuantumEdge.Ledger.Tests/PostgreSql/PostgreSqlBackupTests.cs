using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>The documented backup procedure (pg_dump, pg_restore into an empty database, then verification) on a real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlBackupTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task Pg_dump_and_pg_restore_give_a_ledger_that_verifies_and_keeps_charging_every_chain()
    {
        var server = fixture.Server;
        var source = await server.CreateDatabaseAsync();
        using var ctx = new PostgreSqlLedgerTestContext(source, new Privacy.PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        await using (var a = await ctx.OpenAsync("replica-a"))
        await using (var b = await ctx.OpenAsync("replica-b"))
        {
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? a : b).ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))));
        }

        var dump = Path.Combine(server.Root, "ledger.dump");
        await server.RunToolAsync("pg_dump", ["--format=custom", $"--file={dump}", Dbname(server, source)]);
        var target = await server.CreateDatabaseAsync();
        await server.RunToolAsync("pg_restore", ["--exit-on-error", "--no-owner", $"--dbname={Dbname(server, target)}", dump]);

        await using var ledger = await Ledger.PostgreSql.PostgreSqlPrivacyLedger.OpenAsync(ctx.Options("replica-a"), target);
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(30, verification.RecordsChecked);
        Assert.Null(ledger.ReadOnlyReason);
        Assert.Equal(30, (await ledger.GetBudgetAsync("u")).State.Queries);
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))).Admitted);
        Assert.Equal(16, (await ledger.ReadAuditAsync(0)).Count);
    }

    private static string Dbname(TemporaryPostgres server, string connectionString) =>
        $"host={server.Host} port={server.Port} user=postgres dbname={connectionString.Split("Database=")[1]}";
}
