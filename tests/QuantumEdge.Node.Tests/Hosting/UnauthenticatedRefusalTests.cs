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
        Assert.Equal(401, summary.HttpStatus);
        Assert.Equal(20, records.Count(r => r.Entry.Decision == "refused:permission_denied"));
        Assert.Equal(suppressed, node.Node.Metrics.RefusalsAggregated.Value);
        Assert.Equal(flood, node.Node.Metrics.Refusals.WithLabels("invalid_api_key").Value);
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
                refusals.Note($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", InferenceRoute.ChatCompletions, out _);
            }
        }

        var summaries = refusals.TakeEnded(all: true);
        Assert.Equal(UnauthenticatedRefusals.MaxAddresses + 1, summaries.Count);
        // The 1,000 late addresses share one entry: five of them audited one by one, the rest counted.
        var overflow = Assert.Single(summaries, s => s.Address == UnauthenticatedRefusals.OverflowAddress);
        Assert.Equal((1000 * (UnauthenticatedRefusals.IndividualPerInterval + 1)) - UnauthenticatedRefusals.IndividualPerInterval, overflow.Suppressed);
    }
}
