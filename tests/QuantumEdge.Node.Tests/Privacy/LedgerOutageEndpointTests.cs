using System.Net;
using System.Text;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting;
using QuantumEdge.Tests.Shared;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>
/// With the PostgreSQL ledger's database stopped, every endpoint that reads or writes the ledger (not
/// only inference) answers 503 <c>ledger_unavailable</c> with <c>Retry-After</c> in the OpenAI error
/// shape (the local admin socket's verbs too), each refusal is counted in
/// <c>quantumedge_ledger_unavailable_refusals_total</c>, readiness says why, and once the database is back the same endpoints answer again without a restart.
/// </summary>
public sealed class LedgerOutageEndpointTests : IAsyncLifetime
{
    private TemporaryPostgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await TemporaryPostgres.CreateAsync();

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    private static HttpRequestMessage Request(TestNode node, HttpMethod method, string path, string token, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    [Fact]
    public async Task Budgets_data_subject_reset_status_and_feedback_answer_503_ledger_unavailable_while_the_database_is_down_and_recover()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("secure", TestNode.AllLevels)],
            configure: c => c with
            {
                Storage = c.Storage with { Backend = "postgresql", PostgreSql = new PostgreSqlSettings { ReplicaId = "outage-test" } },
                LedgerConnectionString = _postgres.ConnectionString,
                Compliance = c.Compliance with { EnableGdprCompliance = true },
            }, localAdminSocket: true);
        var doctor = node.Token(sub: "dr.outage", department: "general");
        var admin = node.Token(role: "admin", sub: "dpo");
        using (var charged = await node.Http.SendAsync(node.Chat(doctor, "phi")))
        {
            Assert.True(charged.StatusCode == HttpStatusCode.OK, $"{charged.StatusCode}: {await charged.Content.ReadAsStringAsync()}");
        }

        string completionId;
        using (var answer = await node.Http.SendAsync(node.Chat(doctor, "public")))
        {
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            completionId = Assert.Single(answer.Headers.GetValues("X-QuantumEdge-Completion-Id"));
        }

        var feedback = $$"""{"completion_id":"{{completionId}}","score":0.5,"category":"chat"}""";
        Func<HttpRequestMessage>[] ledgerBacked =
        [
            () => Request(node, HttpMethod.Get, "/privacy/budgets", doctor),
            () => Request(node, HttpMethod.Get, "/privacy/budgets?user=dr.outage", admin),
            () => Request(node, HttpMethod.Get, "/privacy/status", admin),
            () => Request(node, HttpMethod.Post, "/privacy/budgets/reset", admin, """{"user":"dr.someone","reason":"test"}"""),
            () => Request(node, HttpMethod.Get, "/privacy/subject?user=dr.outage&reason=art15", admin),
            () => Request(node, HttpMethod.Post, "/privacy/subject/erase", admin, """{"user":"dr.someone","reason":"art17"}"""),
            () => TestNode.Raw("/v1/feedback", feedback, doctor, classification: null),
        ];

        Assert.Equal(0, await LedgerUnavailableRefusals.CountAsync(node));
        await _postgres.StopAsync();
        foreach (var make in ledgerBacked)
        {
            using var request = make();
            var what = $"{request.Method} {request.RequestUri}";
            using var r = await node.Http.SendAsync(request);
            Assert.True(r.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            var (message, type, code) = await ErrorShape.ReadAsync(r);
            Assert.Equal("ledger_unavailable", code);
            Assert.Equal("server_error", type);
            Assert.Contains("ledger", message, StringComparison.Ordinal);
            Assert.True(r.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"{what}: no Retry-After");
        }

        using (var socket = QuantumEdge.Node.Cli.LocalAdminClient.TryCreate(node.Node.Config))
        {
            Assert.NotNull(socket);
            using var verify = await socket.SendAsync(HttpMethod.Post, "/local/audit/verify", CancellationToken.None);
            Assert.True(verify.StatusCode == HttpStatusCode.ServiceUnavailable, $"local audit verify: {(int)verify.StatusCode} {await verify.Content.ReadAsStringAsync()}");
            Assert.Equal("ledger_unavailable", (await ErrorShape.ReadAsync(verify)).Code);
        }

        // Every refusal above is counted once, whichever layer answered it.
        Assert.Equal(ledgerBacked.Length + 1, await LedgerUnavailableRefusals.CountAsync(node));

        using (var ready = await node.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"ledger_available\":false", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await _postgres.StartAsync();
        // The availability probe finds the database again within its interval; poll with a deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HttpStatusCode status;
        do
        {
            using var budgets = await node.Http.SendAsync(Request(node, HttpMethod.Get, "/privacy/budgets", doctor));
            status = budgets.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100); // Poll interval, bounded by the deadline.
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        // The refused rating left the completion unrated: it can be rated now, once.
        using var rated = await node.Http.SendAsync(TestNode.Raw("/v1/feedback", feedback, doctor, classification: null));
        Assert.True(rated.StatusCode == HttpStatusCode.OK, $"{(int)rated.StatusCode} {await rated.Content.ReadAsStringAsync()}");
    }
}
