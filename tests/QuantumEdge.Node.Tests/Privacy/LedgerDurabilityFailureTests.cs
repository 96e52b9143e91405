using System.Net;
using System.Text.Json;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>
/// A charge whose commit cannot be made durable (here the head file cannot be replaced) stops the embedded
/// ledger: that request and every later one are refused before a backend sees them, and /health says why.
/// </summary>
public sealed class LedgerDurabilityFailureTests
{
    [Fact]
    public async Task A_commit_that_cannot_be_made_durable_stops_the_ledger_and_health_reports_it()
    {
        string? ledgerDir = null;
        await using var node = await TestNode.StartAsync([new TestNode.Sim("all", TestNode.AllLevels)], configure: c =>
        {
            ledgerDir = c.Storage.ResolveLedgerDir(c.Node);
            return c;
        });

        // A non-empty directory where the head file is: the atomic rename over it fails after LiteDB's commit.
        var head = Path.Combine(ledgerDir!, "ledger.head");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Delete(head);
                Directory.CreateDirectory(head);
                break;
            }
            catch (IOException) when (attempt < 100)
            {
                // A background commit (the start-up retention pass) wrote the head again in between: swap again.
            }
        }

        await File.WriteAllTextAsync(Path.Combine(head, "occupied"), "x");

        using (var first = await node.Http.SendAsync(node.Chat(node.Token(), "restricted")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        }

        Assert.Contains("could not make them durable", node.Node.Ledger.ReadOnlyReason, StringComparison.Ordinal);
        using (var later = await node.Http.SendAsync(node.Chat(node.Token(), "public")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
            Assert.Equal("ledger_read_only", (await ErrorShape.ReadAsync(later)).Code);
        }

        Assert.Equal(0, node.Sims[0].Received);
        using var response = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", health.RootElement.GetProperty("status").GetString());
        var ledger = health.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ledger");
        Assert.False(ledger.GetProperty("healthy").GetBoolean());
        Assert.Contains("could not be made durable", ledger.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
