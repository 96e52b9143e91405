using System.Net;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Classification;

/// <summary>A prompt labelled public that carries an MRN, through a node with public-only and restricted-cleared backends.</summary>
public sealed class PhiDetectionEndToEndTests
{
    private const string Mrn = "00483921";
    private const string Prompt = "Summarise the chart for MRN " + Mrn + " before rounds.";

    private static Task<TestNode> StartAsync(PhiAction action, bool restrictedBackend = true) =>
        TestNode.StartAsync(
            restrictedBackend
                ? [new TestNode.Sim("public-only", [DataClassification.Public]), new TestNode.Sim("secure", [DataClassification.Restricted])]
                : [new TestNode.Sim("public-only", [DataClassification.Public])],
            configure: c => c with { Security = c.Security with { PhiDetection = new PhiDetectionSettings { Action = action } } });

    [Fact]
    public async Task Upgrade_sends_the_prompt_only_to_a_restricted_cleared_backend_and_charges_it()
    {
        await using var node = await StartAsync(PhiAction.Upgrade);
        var token = node.Token(sub: "dr.upgrade", department: "general");
        for (var i = 0; i < 3; i++)
        {
            using var response = await node.Http.SendAsync(node.Chat(token, "public", content: Prompt));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, node.Sims[0].Received);
        Assert.Equal(3, node.Sims[1].Received);
        var budget = await node.Node.Ledger.GetBudgetAsync("dr.upgrade", "general");
        Assert.Equal(3, budget.State.Queries);
        var records = await AuditTrail.WaitForAsync(node, r => r.Entry.Detail?.Contains("phi_detected=mrn", StringComparison.Ordinal) == true);
        var record = records.Last(r => r.Entry.Detail?.Contains("phi_detected=mrn", StringComparison.Ordinal) == true);
        Assert.Equal("restricted", record.Entry.Classification);
        Assert.Contains("phi_action=upgrade", record.Entry.Detail, StringComparison.Ordinal);
        await AssertValueAppearsNowhereAsync(node);
    }

    [Fact]
    public async Task Upgrade_without_a_restricted_backend_is_503_and_nothing_is_sent()
    {
        await using var node = await StartAsync(PhiAction.Upgrade, restrictedBackend: false);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public", content: Prompt));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var (_, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("no_permitted_backend", code);
        Assert.Equal(0, node.Sims[0].Received);
    }

    [Fact]
    public async Task Refuse_answers_400_naming_the_entity_types_only()
    {
        await using var node = await StartAsync(PhiAction.Refuse);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public", content: Prompt + " Call 617-555-0142."));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(response);
        Assert.Equal("phi_detected", code);
        Assert.Contains("mrn", message, StringComparison.Ordinal);
        Assert.Contains("phone", message, StringComparison.Ordinal);
        Assert.DoesNotContain(Mrn, message, StringComparison.Ordinal);
        Assert.DoesNotContain("0142", message, StringComparison.Ordinal);
        Assert.Equal(0, node.Sims[0].Received + node.Sims[1].Received);
        await AuditTrail.WaitForAsync(node, r => r.Entry.Decision == "refused:phi_detected");
        await AssertValueAppearsNowhereAsync(node);
    }

    [Fact]
    public async Task Report_routes_as_labelled_and_counts()
    {
        await using var node = await StartAsync(PhiAction.Report);
        using var response = await node.Http.SendAsync(node.Chat(node.Token(), "public", content: Prompt));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, node.Sims[0].Received);
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_phi_detections_total{entity=\"mrn\",action=\"report\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prompt_without_identifiers_and_a_restricted_label_are_left_alone()
    {
        await using var node = await StartAsync(PhiAction.Refuse);
        using var clean = await node.Http.SendAsync(node.Chat(node.Token(), "public", content: "Metoprolol 25 mg BID, ICD-10 I10, BP 142/88."));
        Assert.Equal(HttpStatusCode.OK, clean.StatusCode);
        Assert.Equal(1, node.Sims[0].Received);
        using var restricted = await node.Http.SendAsync(node.Chat(node.Token(), "restricted", content: Prompt));
        Assert.Equal(HttpStatusCode.OK, restricted.StatusCode);
        Assert.Equal(1, node.Sims[1].Received);
    }

    /// <summary>The identifier is in no file under the data dir (ledger, audit, keys) and in no metric.</summary>
    private static async Task AssertValueAppearsNowhereAsync(TestNode node)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(Mrn);
        foreach (var file in Directory.EnumerateFiles(node.Node.Config.Node.DataDir, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                // Held exclusively by the running ledger, and empty: it only guards against a second writer.
                continue;
            }

            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                bytes = copy.ToArray();
            }

            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds the identifier");
        }

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(node.Node.MetricsAddress + "/metrics");
        Assert.DoesNotContain(Mrn, metrics, StringComparison.Ordinal);
        foreach (var record in await AuditTrail.AllAsync(node))
        {
            Assert.DoesNotContain(Mrn, record.Entry.Detail ?? "", StringComparison.Ordinal);
        }
    }
}
