using System.Net;
using System.Text.Json;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>A read-only ledger (tampering found) lets no un-audited traffic through, and /health says so (issue 7, finding 4).</summary>
public sealed class ReadOnlyLedgerTests
{
    /// <summary>Writes a few records into the node's ledger, then deletes the signed head file (tampering).</summary>
    internal static NodeConfiguration WithTamperedLedger(NodeConfiguration c)
    {
        using (var ledger = LedgerFactory.Open(c))
        {
            for (var i = 0; i < 3; i++)
            {
                ledger.RecordAsync(new AuditEntry { RequestId = $"before-{i}", HttpStatus = 200 }).GetAwaiter().GetResult();
            }
        }

        File.Delete(Path.Combine(c.Storage.ResolveLedgerDir(c.Node), "ledger.head"));
        return c;
    }

    [Theory]
    [InlineData("public")]
    [InlineData("internal")]
    [InlineData("confidential")]
    [InlineData("restricted")]
    public async Task Every_classification_gets_503_ledger_read_only_and_nothing_reaches_a_backend(string classification)
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("all", TestNode.AllLevels)], configure: WithTamperedLedger);
        Assert.NotNull(node.Node.Ledger.ReadOnlyReason);

        using var response = await node.Http.SendAsync(node.Chat(node.Token(), classification));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (message, type, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("ledger_read_only", code);
        Assert.Equal("server_error", type);
        Assert.Contains("read-only", message, StringComparison.Ordinal);
        Assert.Contains("tampering", message, StringComparison.Ordinal);
        Assert.Equal(0, node.Sims[0].Received);
    }

    [Fact]
    public async Task Health_is_503_unhealthy_with_a_ledger_check()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("all", TestNode.AllLevels)], configure: WithTamperedLedger);
        using var response = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", health.RootElement.GetProperty("status").GetString());
        var ledger = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ledger");
        Assert.False(ledger.GetProperty("healthy").GetBoolean());
        Assert.Contains("read-only", ledger.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_names_a_writable_ledger_when_all_is_well()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("all", TestNode.AllLevels)]);
        using var response = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var ledger = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ledger");
        Assert.True(ledger.GetProperty("healthy").GetBoolean());
    }
}
