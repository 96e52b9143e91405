using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>A flood of unauthenticated requests cannot flood the durable audit trail; authenticated decisions are each audited.</summary>
public sealed class UnauthenticatedRefusalTests
{
    [Fact]
    public async Task Unauthenticated_refusals_past_the_allowance_become_one_summary_record_per_address()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("s", TestNode.AllLevels)]);
        const int flood = 300;
        for (var batch = 0; batch < flood / 20; batch++)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                using var response = await node.Http.SendAsync(node.Chat(token: i % 2 == 0 ? null : "not-a-token"));
                return response.StatusCode;
            }));
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        }

        // Authenticated refusals are never aggregated.
        for (var i = 0; i < 20; i++)
        {
            using var response = await node.Http.SendAsync(node.Chat(node.Token(role: "visitor")));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await node.Node.Services.GetRequiredService<RefusalSummaryWriter>().FlushAsync(all: true);
        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refused:unauthenticated_summary");
        Assert.Equal(UnauthenticatedRefusals.IndividualPerInterval, records.Count(r => r.Entry.Decision == "refused:invalid_api_key"));
        var summary = Assert.Single(records, r => r.Entry.Decision == "refused:unauthenticated_summary").Entry;
        var suppressed = flood - UnauthenticatedRefusals.IndividualPerInterval;
        Assert.StartsWith($"{suppressed} more unauthenticated refusals from 127.0.0.1", summary.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; the last at POST /v1/chat/completions", summary.Detail, StringComparison.Ordinal);
        Assert.Equal(401, summary.HttpStatus);
        Assert.Equal(20, records.Count(r => r.Entry.Decision == "refused:permission_denied"));
        Assert.Equal(suppressed, node.Node.Metrics.RefusalsAggregated.Value);
        Assert.Equal(flood, node.Node.Metrics.Refusals.WithLabels("invalid_api_key").Value);
    }

    [Fact]
    public async Task Bad_tokens_at_admin_privacy_and_batch_endpoints_are_audited_within_the_same_allowance()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("s", TestNode.AllLevels)]);
        (HttpMethod Method, string Path, string Pattern)[] endpoints =
        [
            (HttpMethod.Post, "/admin/halt", "POST /admin/halt"),
            (HttpMethod.Get, "/privacy/budgets?user=dr.who", "GET /privacy/budgets"),
            (HttpMethod.Get, "/v1/batches/batch_0123456789abcdef", "GET /v1/batches/{id}"),
        ];
        const int rounds = 10;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (method, path, _) in endpoints)
            {
                using var request = new HttpRequestMessage(method, path);
                if (round % 2 == 1)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");
                }

                using var response = await node.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        await node.Node.Services.GetRequiredService<RefusalSummaryWriter>().FlushAsync(all: true);
        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refused:unauthenticated_summary");
        var individual = records.Where(r => r.Entry.HttpStatus == 401 && r.Entry.Decision != "refused:unauthenticated_summary").Select(r => r.Entry).ToList();
        Assert.Equal(UnauthenticatedRefusals.IndividualPerInterval, individual.Count);
        Assert.All(individual, e =>
        {
            Assert.Equal("(unauthenticated)", e.UserId);
            Assert.Equal("refused:invalid_api_key", e.Decision);
        });
        // The route's pattern, never the path as sent: no user id from a query string, no batch id.
        Assert.Equal(["POST /admin/halt", "GET /privacy/budgets", "GET /v1/batches/{id}", "POST /admin/halt", "GET /privacy/budgets"],
            individual.Select(e => e.Detail).ToArray().Select(d => d!.Replace("endpoint=", "", StringComparison.Ordinal)).ToArray());
        Assert.DoesNotContain(records, r => r.Entry.Detail?.Contains("dr.who", StringComparison.Ordinal) == true);
        var summary = Assert.Single(records, r => r.Entry.Decision == "refused:unauthenticated_summary").Entry;
        Assert.StartsWith($"{(rounds * endpoints.Length) - UnauthenticatedRefusals.IndividualPerInterval} more unauthenticated refusals from 127.0.0.1", summary.Detail, StringComparison.Ordinal);
        Assert.EndsWith("; the last at GET /v1/batches/{id}", summary.Detail, StringComparison.Ordinal);
        Assert.Equal(rounds * endpoints.Length, node.Node.Metrics.Refusals.WithLabels("invalid_api_key").Value);
    }

    [Fact]
    public void The_address_table_is_bounded()
    {
        var metrics = new Gateway.Telemetry.GatewayMetrics(Prometheus.Metrics.NewCustomRegistry());
        var refusals = new UnauthenticatedRefusals(metrics, TimeProvider.System, TimeSpan.FromMinutes(1));
        for (var i = 0; i < UnauthenticatedRefusals.MaxAddresses + 1000; i++)
        {
            for (var j = 0; j <= UnauthenticatedRefusals.IndividualPerInterval; j++)
            {
                refusals.Note($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "POST /v1/chat/completions", out _);
            }
        }

        var summaries = refusals.TakeEnded(all: true);
        Assert.Equal(UnauthenticatedRefusals.MaxAddresses + 1, summaries.Count);
        // The 1,000 late addresses share one entry; the allowance across all addresses was used up long before.
        var overflow = Assert.Single(summaries, s => s.Address == UnauthenticatedRefusals.OverflowAddress);
        Assert.Equal(1000 * (UnauthenticatedRefusals.IndividualPerInterval + 1), overflow.Suppressed);
        Assert.Equal((UnauthenticatedRefusals.MaxAddresses + 1000) * (UnauthenticatedRefusals.IndividualPerInterval + 1),
            summaries.Sum(s => s.Suppressed) + UnauthenticatedRefusals.MaxIndividualPerInterval);
    }
}
