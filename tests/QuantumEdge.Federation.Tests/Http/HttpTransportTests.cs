using System.Net;
using System.Text;
using System.Text.Json;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;
using QuantumEdge.Federation.Payloads;
using QuantumEdge.Federation.Tests.Gossip;

namespace QuantumEdge.Federation.Tests.Http;

public sealed class HttpTransportTests
{
    /// <summary>HttpClient's pipeline ending in a function instead of a socket: URLs, statuses, headers and bodies are real.</summary>
    private sealed class RoutingHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> route) : HttpMessageHandler
    {
        public RoutingHandler(Func<HttpRequestMessage, Task<HttpResponseMessage>> route)
            : this((request, _) => route(request))
        {
        }

        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add($"{request.Method} {request.RequestUri!.PathAndQuery}");
            return route(request, cancellationToken);
        }
    }

    /// <summary>A body of unannounced length (chunked), so only the streaming check can stop it.</summary>
    private sealed class UnannouncedContent(int bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(new byte[bytes]).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static RoutingHandler RouteTo(IReadOnlyDictionary<string, FederationEndpoints> byHost) => new(async request =>
    {
        var endpoints = byHost[request.RequestUri!.Host];
        var query = request.RequestUri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync();
        var response = endpoints.Dispatch(request.Method.Method, request.RequestUri.AbsolutePath, query, body);
        return new HttpResponseMessage((HttpStatusCode)response.Status) { Content = new ByteArrayContent(response.Body) };
    });

    [Fact]
    public async Task Two_nodes_gossip_over_http_and_exchange_receipts()
    {
        using var cluster = new TestCluster(2);
        var handler = RouteTo(new Dictionary<string, FederationEndpoints>
        {
            ["node-00.test"] = cluster[0].Endpoints,
            ["node-01.test"] = cluster[1].Endpoints,
        });
        using var client = new HttpClient(handler);
        var transport = new HttpFederationTransport(client);
        cluster.PublishAll();
        var a = new GossipEngine(cluster[0].Member, transport, cluster.Gossip, new Random(1));
        var b = new GossipEngine(cluster[1].Member, transport, cluster.Gossip, new Random(2));
        var report = await a.RunRoundAsync(CancellationToken.None);
        await b.RunRoundAsync(CancellationToken.None);

        Assert.Equal(0, report.PeersFailed);
        Assert.True(cluster.Converged());
        Assert.Contains("GET /federation/v1/digest?for=node-00", handler.Requests);
        Assert.Contains(handler.Requests, r => r.StartsWith("GET /federation/v1/envelopes?origin=node-01&after_seq=0&epoch=", StringComparison.Ordinal));
        Assert.Contains("POST /federation/v1/envelopes", handler.Requests);
        Assert.Single(cluster[0].Member.Receipts.All);
        Assert.Single(cluster[1].Member.Receipts.All);
    }

    private static readonly TrustedPeer Peer = new("node-01", new byte[32], new Uri("http://node-01.test:7443"));

    [Fact]
    public async Task An_oversized_response_is_refused_by_its_announced_length_or_cut_off_while_streaming()
    {
        using var announced = new RoutingHandler(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(new byte[100_000]),
        }));
        using var client = new HttpClient(announced);
        var ex = await Assert.ThrowsAsync<FederationTransportException>(() =>
            new HttpFederationTransport(client, maxResponseBytes: 10_000).GetDigestAsync(Peer, "node-00", CancellationToken.None));
        Assert.Contains("announced a 100000-byte response", ex.Message, StringComparison.Ordinal);

        using var chunked = new RoutingHandler(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new UnannouncedContent(100_000) }));
        using var client2 = new HttpClient(chunked);
        ex = await Assert.ThrowsAsync<FederationTransportException>(() =>
            new HttpFederationTransport(client2, maxResponseBytes: 10_000).GetDigestAsync(Peer, "node-00", CancellationToken.None));
        Assert.Contains("more than 10000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_never_answers_times_out()
    {
        using var handler = new RoutingHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new HttpClient(handler);
        var transport = new HttpFederationTransport(client, TimeSpan.FromMilliseconds(100));
        var ex = await Assert.ThrowsAsync<FederationTransportException>(() => transport.PullAsync(Peer, "node-00", 1, 0, CancellationToken.None));
        Assert.Contains("did not answer", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "{}")]
    [InlineData(200, "not json")]
    [InlineData(200, "{\"origins\":[]}")]
    public async Task Unexpected_statuses_and_bodies_are_transport_errors(int status, string body)
    {
        using var handler = new RoutingHandler(_ => Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body) }));
        using var client = new HttpClient(handler);
        await Assert.ThrowsAsync<FederationTransportException>(() => new HttpFederationTransport(client).GetDigestAsync(Peer, "node-00", CancellationToken.None));
    }

    [Fact]
    public async Task An_unreachable_peer_is_a_transport_error()
    {
        using var handler = new RoutingHandler(_ => throw new HttpRequestException("Connection refused"));
        using var client = new HttpClient(handler);
        var ex = await Assert.ThrowsAsync<FederationTransportException>(() =>
            new HttpFederationTransport(client).PushAsync(Peer, new byte[] { 1 }, CancellationToken.None));
        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_endpoints_validate_their_query_and_describe_the_node_in_status()
    {
        using var cluster = new TestCluster(2);
        cluster.PublishAll();
        var endpoints = cluster[0].Endpoints;
        Assert.Equal(400, endpoints.GetEnvelopes(null, "0", null).Status);
        Assert.Equal(400, endpoints.GetEnvelopes("node-00", "-1", null).Status);
        Assert.Equal(400, endpoints.GetEnvelopes("node-00", "1", "zero").Status);
        Assert.Equal(400, endpoints.GetEnvelopes("../etc", "1", null).Status);
        Assert.Equal(404, endpoints.Dispatch("DELETE", "/federation/v1/envelopes", new Dictionary<string, string>(), []).Status);

        var page = endpoints.GetEnvelopes("node-00", "0", null);
        Assert.Equal(200, page.Status);
        Assert.Single(FederationWire.ReadPullPage(page.Body));
        Assert.Empty(FederationWire.ReadPullPage(endpoints.GetEnvelopes("node-00", "1", null).Body));

        using var status = JsonDocument.Parse(endpoints.GetStatus().Body);
        var root = status.RootElement;
        Assert.Equal("node-00", root.GetProperty("node").GetString());
        Assert.Equal(1, root.GetProperty("origins").GetProperty("node-00").GetProperty("seq").GetInt64());
        Assert.Equal("node-01", root.GetProperty("peers")[0].GetProperty("id").GetString());
        Assert.False(root.GetProperty("peers")[0].GetProperty("reachable").GetBoolean());
        var privacy = root.GetProperty("privacy");
        Assert.Equal(1, privacy.GetProperty("releases").GetInt32());
        Assert.True(privacy.GetProperty("epsilon_spent").GetDouble() is > 0 and <= 0.5);
        Assert.False(privacy.GetProperty("releases_stopped").GetBoolean());
        Assert.Equal(0, root.GetProperty("quarantined").GetArrayLength());
    }

    [Fact]
    public void Status_says_when_releases_have_stopped_because_the_budget_is_spent()
    {
        using var cluster = new TestCluster(1, privacy: TestCluster.Privacy with { EpsilonPerRelease = 1, MaxEpsilonPerDay = 1 });
        Assert.True(cluster[0].Member.Publish().Released);
        var second = cluster[0].Member.Publish(new AuditHead(5, new byte[32]));
        Assert.False(second.Released);
        Assert.True(second.Budget.Exhausted);
        Assert.Equal(5, second.Envelope.Payload.AuditHead!.Seq);
        var status = Encoding.UTF8.GetString(cluster[0].Endpoints.GetStatus().Body);
        Assert.Contains("\"releases_stopped\":true", status, StringComparison.Ordinal);
        Assert.Contains("budget for today is spent", status, StringComparison.Ordinal);
    }
}
