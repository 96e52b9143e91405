using System.Net;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting;
using QuantumEdge.Node.Tests.Privacy;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary>
/// The emergency verbs that need their audit record (resume, unlock) while the PostgreSQL ledger's
/// database is down: refused as inference is — 503 <c>ledger_unavailable</c> with <c>Retry-After</c>, the
/// outage reported to readiness, the refusal counted — over HTTP and on the local admin socket, and
/// they work again once the database is back, without a restart.
/// </summary>
public sealed class EmergencyLedgerOutageTests : IAsyncLifetime
{
    private TemporaryPostgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await TemporaryPostgres.CreateAsync();

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task Resume_while_the_ledger_database_is_down_answers_like_inference_and_works_once_it_is_back()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)],
            configure: c => c with
            {
                Storage = c.Storage with { Backend = "postgresql", PostgreSql = new PostgreSqlSettings { ReplicaId = "emergency-outage" } },
                LedgerConnectionString = _postgres.ConnectionString,
            }, localAdminSocket: true);
        using (var halt = await EmergencyCalls.PostAsync(node, "/admin/halt", """{"reason":"drill"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
        }

        Assert.Equal(0, await LedgerUnavailableRefusals.CountAsync(node));
        await _postgres.StopAsync();

        using (var resume = await EmergencyCalls.PostAsync(node, "/admin/resume", """{"reason":"drill over"}"""))
        {
            await AssertLedgerUnavailableAsync(resume, "POST /admin/resume");
        }

        using (var ready = await node.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"ledger_available\":false", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(1, await LedgerUnavailableRefusals.CountAsync(node));
        using (var socket = QuantumEdge.Node.Cli.LocalAdminClient.TryCreate(node.Node.Config))
        {
            Assert.NotNull(socket);
            using var resume = await socket.SendAsync(HttpMethod.Post, "/local/admin/resume", CancellationToken.None);
            await AssertLedgerUnavailableAsync(resume, "local admin resume");
        }

        Assert.Equal(2, await LedgerUnavailableRefusals.CountAsync(node));
        Assert.True((await EmergencyCalls.StateAsync(node)).GetProperty("halted").GetBoolean());

        await _postgres.StartAsync();
        // The availability probe finds the database again within its interval; poll with a deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        do
        {
            using var resume = await EmergencyCalls.PostAsync(node, "/admin/resume", """{"reason":"drill over"}""");
            status = resume.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                Assert.Equal("ledger_unavailable", (await ErrorShape.ReadAsync(resume)).Code);
                await Task.Delay(100); // Poll interval, bounded by the deadline.
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((await EmergencyCalls.StateAsync(node)).GetProperty("halted").GetBoolean());
    }

    private static async Task AssertLedgerUnavailableAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"{what}: no Retry-After");
        var (message, type, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("ledger_unavailable", code);
        Assert.Equal("server_error", type);
        Assert.Contains("ledger", message, StringComparison.Ordinal);
    }
}
