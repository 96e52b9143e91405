using System.Net;
using System.Text.Json;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Node.Tests.Federation;

/// <summary>The federation listener's GET endpoints answer trusted peers only, over real HTTP.</summary>
public sealed class ListenerAuthenticationTests
{
    [Fact]
    public async Task Unsigned_and_stranger_reads_get_401_with_a_reason_and_a_peers_signed_read_gets_200()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var b = federation.Nodes[1];
        var listener = FederatedNodes.ListenUrl(b);
        foreach (var path in new[] { "/federation/v1/status", "/federation/v1/digest", "/federation/v1/envelopes?origin=hospital-a&after_seq=0" })
        {
            using var unsigned = await federation.Listener.GetAsync(listener + path);
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Equal("unsigned_request", await ReasonAsync(unsigned));
        }

        var strangerKeys = Directory.CreateTempSubdirectory("qe-stranger-").FullName;
        try
        {
            using (var stranger = NodeIdentity.Generate())
            {
                stranger.Save(strangerKeys);
            }

            using var unknown = await SignedRequests.GetAsync(federation.Listener, listener + "/federation/v1/status", "hospital-z", strangerKeys);
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
            Assert.Equal("unknown_node", await ReasonAsync(unknown));

            // A trusted id signed with the wrong key.
            using var impostor = await SignedRequests.GetAsync(federation.Listener, listener + "/federation/v1/status", "hospital-a", strangerKeys);
            Assert.Equal(HttpStatusCode.Unauthorized, impostor.StatusCode);
            Assert.Equal("bad_request_signature", await ReasonAsync(impostor));
        }
        finally
        {
            Directory.Delete(strangerKeys, recursive: true);
        }

        using var peer = await SignedRequests.GetAsync(federation.Listener, listener + "/federation/v1/envelopes?origin=hospital-a&after_seq=0", "hospital-a",
            federation.KeyDirs[0]);
        Assert.Equal(HttpStatusCode.OK, peer.StatusCode);
    }

    [Fact]
    public async Task A_peers_read_giving_a_parameter_twice_is_refused_naming_the_repetition()
    {
        await using var federation = await FederatedNodes.StartAsync(2);
        var listener = FederatedNodes.ListenUrl(federation.Nodes[1]);

        using var repeated = await SignedRequests.GetAsync(federation.Listener, listener + "/federation/v1/envelopes?origin=hospital-a&origin=hospital-b&after_seq=0", "hospital-a",
            federation.KeyDirs[0]);

        Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        using var doc = JsonDocument.Parse(await repeated.Content.ReadAsStringAsync());
        Assert.Equal("query parameter origin is given 2 times; give it once", doc.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    private static async Task<string?> ReasonAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("error").GetProperty("reason").GetString();
    }
}
