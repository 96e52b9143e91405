using System.Net;
using QuantumEdge.Gateway.Simulation;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Privacy;

/// <summary>A charge is released only when nothing of the answer can have reached the caller; client text never reaches the audit.</summary>
public sealed class DisclosureTests
{
    [Fact]
    public async Task Client_that_disconnects_after_streamed_text_keeps_its_charge()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("slow", TestNode.AllLevels, new SimulatedBackendOptions { Name = "slow", TimeScale = 5 })]);
        var token = node.Token(sub: "dr.leaver", department: "general");
        using (var request = node.Chat(token, "phi", stream: true))
        using (var response = await node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        // Dropping the response closes the connection mid-stream; wait for the node to audit the outcome.
        var records = await WaitForAsync(node, r => r.Entry.Decision == "failed");
        Assert.DoesNotContain(records, r => r.Entry.Decision == "refunded");
        var budget = await node.Node.Ledger.GetBudgetAsync("dr.leaver", "general");
        Assert.Equal(1, budget.State.Queries);
        Assert.True(budget.Spent > 0);
    }

    [Fact]
    public async Task Unknown_model_names_are_not_written_to_the_audit()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("s", TestNode.AllLevels)]);
        using (var response = await node.Http.SendAsync(node.Chat(node.Token(), "phi", model: "Patient John Example MRN 99887766")))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var records = await WaitForAsync(node, r => r.Entry.Decision == "refused:model_not_found");
        Assert.All(records, r => Assert.DoesNotContain("99887766", r.Entry.Model ?? "", StringComparison.Ordinal));
        await node.Node.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(node.Node.Config.Node.DataDir, "*", SearchOption.AllDirectories))
        {
            Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf("99887766"u8) < 0, file);
        }
    }

    [Fact]
    public async Task Odd_but_valid_json_never_yields_a_500()
    {
        await using var node = await TestNode.StartAsync([new TestNode.Sim("s", TestNode.AllLevels)]);
        foreach (var body in new[]
        {
            """{"model":"clinical-7b","model":"clinical-7b","messages":[{"role":"user","content":"x"}]}""",
            """{"model":"clinical-7b","messages":[{"role":"user","content":[{"type":"text","text":"x"},7,null]}],"stream":null}""",
            """{"model":"clinical-7b","messages":[{"role":"user"}],"max_tokens":-5}""",
        })
        {
            using var response = await node.Http.SendAsync(TestNode.Raw("/v1/chat/completions", body, node.Token(), "public"));
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {body}");
        }
    }

    private static async Task<IReadOnlyList<Ledger.Audit.AuditRecord>> WaitForAsync(TestNode node, Func<Ledger.Audit.AuditRecord, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var records = await node.Node.Ledger.ReadAuditAsync(0, 10_000);
            if (records.Any(predicate))
            {
                return records;
            }

            // Polling the ledger (not sleeping on a guess): the outcome record lands once the node notices the disconnect.
            await Task.Delay(20, timeout.Token);
        }
    }
}
