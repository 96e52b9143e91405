using System.Net;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Emergency;

/// <summary><c>admin halt|resume</c>: inference refused with 503 node_halted while health, metrics, audit and admin keep working.</summary>
public sealed class HaltTests
{
    [Fact]
    public async Task Halt_refuses_all_inference_and_keeps_health_metrics_and_admin_working()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)]);
        using (var halt = await EmergencyCalls.PostAsync(node, "/admin/halt", """{"reason":"backend leaking data"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
        }

        foreach (var token in new[] { node.Token(), EmergencyCalls.Admin(node) })
        {
            using var chat = await node.Http.SendAsync(node.Chat(token));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
            Assert.Equal("node_halted", (await ErrorShape.ReadAsync(chat)).Code);
        }

        using (var embeddings = await node.Http.SendAsync(TestNode.Raw("/v1/embeddings", """{"model":"clinical-7b","input":"x"}""", node.Token())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, embeddings.StatusCode);
            Assert.Equal("node_halted", (await ErrorShape.ReadAsync(embeddings)).Code);
        }

        using (var feedback = await node.Http.SendAsync(TestNode.Raw("/v1/feedback", """{"completion_id":"x","score":1}""", node.Token())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, feedback.StatusCode);
            Assert.Equal("node_halted", (await ErrorShape.ReadAsync(feedback)).Code);
        }

        using (var health = await node.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var doc = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal("halted", doc.RootElement.GetProperty("status").GetString());
        }

        using (var ready = await node.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("halted", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var metricsClient = new HttpClient())
        {
            var metrics = await metricsClient.GetStringAsync(node.Node.MetricsAddress + "/metrics");
            Assert.Contains("quantumedge_refusals_total{reason=\"node_halted\"}", metrics, StringComparison.Ordinal);
        }

        using (var status = await EmergencyCalls.GetAsync(node, "/privacy/status", node.Token()))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        Assert.True((await EmergencyCalls.StateAsync(node)).GetProperty("halted").GetBoolean());
        using (var resume = await EmergencyCalls.PostAsync(node, "/admin/resume", "{}"))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        using (var chat = await node.Http.SendAsync(node.Chat(node.Token())))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == AuditDecisions.AdminResume);
        Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminHalt);
        Assert.Contains(records, r => r.Entry.Decision == "refused:node_halted");
    }

    [Fact]
    public async Task Halt_survives_a_restart_and_a_second_halt_changes_nothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qe-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir))
            {
                first.KeepDataDirectory = true;
                using var halt = await EmergencyCalls.PostAsync(first, "/admin/halt", "{}");
                Assert.Equal(HttpStatusCode.OK, halt.StatusCode);
                using var again = await EmergencyCalls.PostAsync(first, "/admin/halt", "{}");
                using var doc = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
                Assert.False(doc.RootElement.GetProperty("changed").GetBoolean());
                var records = await AuditTrail.AllAsync(first);
                Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminHalt);
                Assert.Equal("action=admin:halt", Assert.Single(records, r => r.Entry.Decision == AuditDecisions.AdminActionUnchanged).Entry.Detail);
            }

            await using var second = await TestNode.StartAsync([new TestNode.Sim("a", TestNode.AllLevels)], dataDir: dir);
            second.KeepDataDirectory = true;
            using var chat = await second.Http.SendAsync(second.Chat(second.Token()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
            Assert.Equal("node_halted", (await ErrorShape.ReadAsync(chat)).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
