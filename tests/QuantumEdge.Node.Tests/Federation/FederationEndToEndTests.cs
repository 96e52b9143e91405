using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace QuantumEdge.Node.Tests.Federation;

/// <summary>Nodes federating on loopback through their real listeners: gossip, insights, status, refusals, metrics.</summary>
public sealed class FederationEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_nodes_converge_and_show_their_peers_in_status_and_insights()
    {
        await using var federation = await FederatedNodes.StartAsync(3);

        await FederatedNodes.WaitUntilAsync(federation.ConvergedAsync, "every node holds every node's envelope");

        foreach (var node in federation.Nodes)
        {
            output.WriteLine($"{node.Node.Config.Node.Id}: converged after {node.Node.Federation!.Engine.Totals.Rounds} gossip rounds");
        }

        var a = federation.Nodes[0];
        await FederatedNodes.WaitUntilAsync(async () =>
        {
            var status = await federation.GetAsync(a, "/federation/v1/status");
            return status.GetProperty("peers").EnumerateArray().All(p => p.GetProperty("reachable").GetBoolean());
        }, "hospital-a reaches both peers");
        var final = await federation.GetAsync(a, "/federation/v1/status");
        Assert.Equal(["hospital-b", "hospital-c"], final.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order().ToArray());
        var origins = final.GetProperty("origins");
        Assert.All(new[] { "hospital-a", "hospital-b", "hospital-c" }, id => Assert.True(origins.GetProperty(id).GetProperty("seq").GetInt64() >= 1));
        Assert.Empty(final.GetProperty("quarantined").EnumerateArray());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/federation/v1/insights");
        request.Headers.Authorization = new("Bearer", a.Token());
        using var response = await a.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var insights = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["hospital-b", "hospital-c"], insights.RootElement.GetProperty("contributors").EnumerateArray().Select(c => c.GetString()!).Order().ToArray());

        var pulled = await federation.GetAsync(federation.Nodes[1], "/federation/v1/envelopes?origin=hospital-a&after_seq=0");
        foreach (var envelope in pulled.GetProperty("envelopes").EnumerateArray())
        {
            output.WriteLine($"envelope {envelope.GetProperty("origin").GetString()}#{envelope.GetProperty("seq").GetInt64()}: {Encoding.UTF8.GetByteCount(envelope.GetRawText())} bytes on the wire");
        }
    }

    [Fact]
    public async Task Insights_need_the_measurement_permission()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var a = federation.Nodes[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, "/federation/v1/insights");
        request.Headers.Authorization = new("Bearer", a.Token(role: "nurse"));
        using var response = await a.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_forged_envelope_gets_401_and_a_replayed_one_409_and_neither_changes_state()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var (a, b) = (federation.Nodes[0], federation.Nodes[1]);
        await FederatedNodes.WaitUntilAsync(federation.ConvergedAsync, "both nodes hold both envelopes");
        var pulled = await federation.GetAsync(b, "/federation/v1/envelopes?origin=hospital-a&after_seq=0");
        var genuine = pulled.GetProperty("envelopes").EnumerateArray().Last().GetRawText();
        var before = await StateAsync(federation, b);

        using var replayed = await PostAsync(federation, b, genuine);
        var forgedNode = JsonNode.Parse(genuine)!.AsObject();
        forgedNode["seq"] = forgedNode["seq"]!.GetValue<long>() + 1;
        using var forged = await PostAsync(federation, b, forgedNode.ToJsonString());

        Assert.Equal(HttpStatusCode.Conflict, replayed.StatusCode);
        Assert.Contains("\"replay\"", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("\"bad_signature\"", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(federation, b));
        var metrics = await new HttpClient().GetStringAsync(b.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_federation_envelopes_rejected_total{reason=\"bad_signature\"} 1", metrics, StringComparison.Ordinal);
        // Gossip may race a replay of its own (a push crossing a pull), so the replay count is at least ours.
        var replays = Regex.Match(metrics, "quantumedge_federation_envelopes_rejected_total\\{reason=\"replay\"\\} (\\d+)");
        Assert.True(replays.Success && int.Parse(replays.Groups[1].Value, CultureInfo.InvariantCulture) >= 1, metrics);
        Assert.Contains("quantumedge_federation_quarantined_origins 0", metrics, StringComparison.Ordinal);
        _ = a;
    }

    [Fact]
    public async Task Requests_are_observed_for_the_next_release_without_any_text_or_user_id()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var a = federation.Nodes[0];

        for (var i = 0; i < 3; i++)
        {
            using var answer = await a.Http.SendAsync(a.Chat(a.Token(sub: "dr.user" + i.ToString(CultureInfo.InvariantCulture)), "public"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var cells = a.Node.Federation!.Member.Observations.LocalCells();
        // Outcome hooks run after the answer is complete, so poll rather than assume.
        await FederatedNodes.WaitUntilAsync(() => Task.FromResult(a.Node.Federation!.Member.Observations.LocalCells()
            .Single(c => c is { Model: "clinical-7b", Category: "chat" }).Requests == 3), "three chat requests observed");
        var chat = a.Node.Federation!.Member.Observations.LocalCells().Single(c => c is { Model: "clinical-7b", Category: "chat" });
        Assert.Equal(3, chat.Users);
        Assert.Equal(0, chat.Errors);
        Assert.Equal(3, cells.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_envelope_is_refused_as_too_large_whether_its_length_is_declared_or_not(bool declared)
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var b = federation.Nodes[1];
        await FederatedNodes.WaitUntilAsync(federation.ConvergedAsync, "both nodes hold both envelopes");
        var before = await StateAsync(federation, b);
        var content = new StreamContent(new MemoryStream(new byte[300 * 1024]));
        content.Headers.ContentType = new("application/json");
        if (declared)
        {
            content.Headers.ContentLength = 300 * 1024;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, FederatedNodes.ListenUrl(b) + "/federation/v1/envelopes") { Content = content };
        request.Headers.TransferEncodingChunked = !declared;
        using var answer = await federation.Listener.SendAsync(request);

        // PROTOCOL.md: a refusal is 400/401/409 with a named reason.
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.Contains("\"too_large\"", body, StringComparison.Ordinal);
        Assert.Contains("262144", body, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(federation, b));
        var metrics = await new HttpClient().GetStringAsync(b.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_federation_envelopes_rejected_total{reason=\"too_large\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_envelope_whose_chunk_size_cannot_be_read_is_refused_in_the_protocols_shape_not_a_500()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var b = federation.Nodes[1];
        var listen = new Uri(FederatedNodes.ListenUrl(b));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(listen.Host, listen.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            "POST /federation/v1/envelopes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "ffffffffffffffffffff\r\nab\r\n"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        // PROTOCOL.md: a refusal is 400 with a named reason; the connection is closed, its framing being lost.
        var answer = System.Text.Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("\"malformed_json\"", answer, StringComparison.Ordinal);
        Assert.Contains("chunked framing is malformed", answer, StringComparison.Ordinal);
        var metrics = await new HttpClient().GetStringAsync(b.Node.MetricsAddress + "/metrics");
        Assert.Contains("quantumedge_federation_envelopes_rejected_total{reason=\"malformed_json\"} 1", metrics, StringComparison.Ordinal);
    }

    /// <summary>What a refused envelope must not change: the origins held (epoch, seq) and the quarantine list.</summary>
    private static async Task<string> StateAsync(FederatedNodes federation, Hosting.TestNode node)
    {
        var status = await federation.GetAsync(node, "/federation/v1/status");
        return status.GetProperty("origins").GetRawText() + status.GetProperty("quarantined").GetRawText();
    }

    private static Task<HttpResponseMessage> PostAsync(FederatedNodes federation, Hosting.TestNode node, string body) =>
        federation.Listener.PostAsync(FederatedNodes.ListenUrl(node) + "/federation/v1/envelopes", new StringContent(body, Encoding.UTF8, "application/json"));
}
