using System.Globalization;
using QuantumEdge.Federation.Gossip;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Benchmarks;

/// <summary>
/// The protocol's handlers called in process (no sockets, no HTTP, no request signatures): what a
/// round exchanges is the real wire bytes, so rounds and bytes are the protocol's own.
/// </summary>
internal sealed class InMemoryTransport(IReadOnlyDictionary<string, FederationEndpoints> listeners) : IFederationTransport
{
    private long _bytes;

    /// <summary>Request and response bodies exchanged so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public Task<PushResponse> PushAsync(TrustedPeer peer, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        var r = Send(peer, "POST", "/federation/v1/envelopes", new Dictionary<string, string>(), envelope.Span);
        return Task.FromResult(FederationWire.ReadPushResponse(r.Status, r.Body));
    }

    public Task<PeerDigest> GetDigestAsync(TrustedPeer peer, string self, CancellationToken cancellationToken)
    {
        var r = Send(peer, "GET", "/federation/v1/digest", new Dictionary<string, string> { ["for"] = self }, []);
        return Task.FromResult(FederationWire.ReadDigest(r.Body));
    }

    public Task<IReadOnlyList<byte[]>> PullAsync(TrustedPeer peer, string origin, long epoch, long afterSeq, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string>
        {
            ["origin"] = origin,
            ["after_seq"] = afterSeq.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
        };
        var r = Send(peer, "GET", "/federation/v1/envelopes", query, []);
        return Task.FromResult(FederationWire.ReadPullPage(r.Body));
    }

    private FederationResponse Send(TrustedPeer peer, string method, string path, Dictionary<string, string> query, ReadOnlySpan<byte> body)
    {
        var response = listeners[peer.Id].Dispatch(method, path, query, body);
        Interlocked.Add(ref _bytes, body.Length + response.Body.Length);
        return response;
    }
}
