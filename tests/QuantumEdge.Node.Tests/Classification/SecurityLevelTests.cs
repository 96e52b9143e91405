using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Tests.Hosting;

namespace QuantumEdge.Node.Tests.Classification;

/// <summary><c>security.security_level</c>: the floor every request on the node is handled at.</summary>
public sealed class SecurityLevelTests
{
    private static Task<TestNode> StartAsync(string level) =>
        TestNode.StartAsync(
            [new TestNode.Sim("secure", TestNode.AllLevels), new TestNode.Sim("open", TestNode.OpenLevels)],
            configure: c => c with { Security = c.Security with { SecurityLevel = level } });

    [Fact]
    public async Task A_confidential_node_routes_public_traffic_to_cleared_backends_and_charges_and_audits_it_as_confidential()
    {
        await using var node = await StartAsync("confidential");
        for (var i = 0; i < 4; i++)
        {
            using var r = await node.Http.SendAsync(node.Chat(node.Token(sub: "dr.floor", department: "general"), "public"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("secure", r.Headers.GetValues("X-QuantumEdge-Backend").Single());
        }

        Assert.Equal(0, node.Sims[1].Received);
        var budget = await node.Node.Ledger.GetBudgetAsync("dr.floor", "general");
        Assert.Equal(4, budget.State.Queries);
        var audit = await AuditTrail.WaitForAsync(node, r => r.Entry.EventType == AuditEventType.Request && r.Entry.HttpStatus == 200);
        Assert.All(audit.Where(r => r.Entry.EventType == AuditEventType.Request), r => Assert.Equal("confidential", r.Entry.Classification));
    }

    [Fact]
    public async Task A_confidential_node_without_a_cleared_backend_refuses_public_traffic_instead_of_using_an_open_one()
    {
        await using var node = await TestNode.StartAsync(
            [new TestNode.Sim("open", TestNode.OpenLevels)],
            configure: c => c with { Security = c.Security with { SecurityLevel = "confidential" } });

        using var r = await node.Http.SendAsync(node.Chat(node.Token(), "public"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        var (message, _, code) = await ErrorShape.ReadAsync(r);
        Assert.Equal("no_permitted_backend", code);
        Assert.Contains("confidential", message, StringComparison.Ordinal);
        Assert.Equal(0, node.Sims[0].Received);
        using var ready = await node.Http.GetAsync("/health/ready?classification=public");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task A_public_node_takes_labels_as_they_are()
    {
        await using var node = await StartAsync("public");
        using var r = await node.Http.SendAsync(node.Chat(node.Token(sub: "dr.open", department: "general"), "public"));

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(0, (await node.Node.Ledger.GetBudgetAsync("dr.open", "general")).State.Queries);
    }

    [Theory]
    [InlineData("confidential", new[] { "restricted", "confidential", "internal", "public" })]
    [InlineData("public", new[] { "restricted", "confidential" })]
    public async Task Privacy_status_reports_the_security_level_and_what_it_charges(string level, string[] charged)
    {
        await using var node = await StartAsync(level);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/privacy/status");
        request.Headers.Authorization = new("Bearer", node.Token());
        using var r = await node.Http.SendAsync(request);
        var status = await r.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(level, status.GetProperty("security_level").GetString());
        Assert.Equal(charged, status.GetProperty("policy").GetProperty("charged_classifications").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }
}
