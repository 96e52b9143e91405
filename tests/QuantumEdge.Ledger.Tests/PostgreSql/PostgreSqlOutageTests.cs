using QuantumEdge.Ledger.Audit;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Ledger.Tests.PostgreSql;

/// <summary>The database goes away and comes back (its own server, so the stops do not disturb other tests).</summary>
public sealed class PostgreSqlOutageTests : IAsyncLifetime
{
    private TemporaryPostgres _server = null!;

    public async Task InitializeAsync() => _server = await TemporaryPostgres.CreateAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stopped_server_makes_every_call_unavailable_and_the_next_call_after_restart_works()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await _server.CreateDatabaseAsync(), new Privacy.PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        await using var ledger = await ctx.OpenAsync();
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))).Admitted);

        await _server.StopAsync();
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u")));
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.GetBudgetAsync("u"));
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.RecordAsync(new AuditEntry { RequestId = "x" }));
        await Assert.ThrowsAsync<LedgerUnavailableException>(() => ledger.VerifyAsync());

        await _server.StartAsync();
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))).Admitted);
        Assert.Equal(2, (await ledger.GetBudgetAsync("u")).State.Queries);
        var verification = await ledger.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Fact]
    public async Task Restart_while_idle_does_not_fail_the_first_read_or_charge_on_a_stale_pooled_connection()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await _server.CreateDatabaseAsync(), new Privacy.PrivacyPolicyOptions { MaxBudgetPerUser = 1000 });
        await using var ledger = await ctx.OpenAsync();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))));

        Assert.Equal(20, (await ledger.GetBudgetAsync("u")).State.Queries);

        // Nothing is called while the server is down: the pool still holds connections to the old server process.
        await _server.StopAsync();
        await _server.StartAsync();
        Assert.Equal(20, (await ledger.GetBudgetAsync("u")).State.Queries);
        await _server.StopAsync();
        await _server.StartAsync();
        Assert.True((await ledger.ChargeAsync(PostgreSqlLedgerTestContext.Charge("u"))).Admitted);
        Assert.Equal(21, (await ledger.GetBudgetAsync("u")).State.Queries);

        // A second replica that made no call across the restart verifies on its first try (seen on the AOT probe: 57P01).
        await using var idle = await ctx.OpenAsync("replica-idle");
        Assert.True((await idle.VerifyAsync()).IsValid);
        await _server.StopAsync();
        await _server.StartAsync();
        var verification = await idle.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }

    [Fact]
    public async Task Server_killed_mid_burst_loses_no_acknowledged_charge_never_overspends_and_recovers()
    {
        using var ctx = new PostgreSqlLedgerTestContext(await _server.CreateDatabaseAsync());
        var affordable = ctx.AffordableFromEmpty("cardiology");
        await using var a = await ctx.OpenAsync("replica-a");
        await using var b = await ctx.OpenAsync("replica-b");
        IPrivacyLedger[] replicas = [a, b];

        var started = 0;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<(bool Admitted, Exception? Error)> ChargeOne(int i)
        {
            if (Interlocked.Increment(ref started) == 40)
            {
                halfway.TrySetResult();
            }

            try
            {
                return ((await replicas[i % 2].ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-burst", requestId: $"r{i}"))).Admitted, null);
            }
            catch (LedgerException ex)
            {
                return (false, ex);
            }
        }

        var burst = Task.WhenAll(Enumerable.Range(0, 120).Select(i => Task.Run(() => ChargeOne(i))));
        await halfway.Task;
        _server.Kill();
        var outcomes = await burst;
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.IsType<LedgerUnavailableException>(o.Error));

        await _server.StartAsync();
        var acknowledged = outcomes.Count(o => o.Admitted);
        var stored = (await a.GetBudgetAsync("dr-burst")).State.Queries;
        Assert.InRange(stored, acknowledged, affordable);

        // Both replicas charge again without a restart, up to the budget and no further.
        var after = await Task.WhenAll(Enumerable.Range(0, 2 * (int)affordable)
            .Select(i => replicas[i % 2].ChargeAsync(PostgreSqlLedgerTestContext.Charge("dr-burst", requestId: $"after-{i}"))));
        Assert.Equal(affordable - stored, after.Count(r => r.Admitted));
        Assert.Equal(affordable, (await b.GetBudgetAsync("dr-burst")).State.Queries);
        var verification = await b.VerifyAsync();
        Assert.True(verification.IsValid, verification.ToString());
    }
}
