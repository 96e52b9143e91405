using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Gossip;

/// <summary>
/// How this node reaches a peer's federation listener. Implementations throw
/// <see cref="FederationTransportException"/> (or any exception) when the peer cannot be reached
/// or answers nonsense; the gossip engine backs off from that peer. <see cref="Http.HttpFederationTransport"/>
/// is the HTTP implementation.
/// </summary>
public interface IFederationTransport
{
    /// <summary><c>POST /federation/v1/envelopes</c>.</summary>
    Task<PushResponse> PushAsync(TrustedPeer peer, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken);

    /// <summary><c>GET /federation/v1/digest?for=SELF</c>: the peer's digest and its receipt for this node's newest audit head.</summary>
    Task<PeerDigest> GetDigestAsync(TrustedPeer peer, string self, CancellationToken cancellationToken);

    /// <summary><c>GET /federation/v1/envelopes?origin=O&amp;after_seq=N&amp;epoch=E</c>: raw envelope bytes, oldest first.</summary>
    Task<IReadOnlyList<byte[]>> PullAsync(TrustedPeer peer, string origin, long epoch, long afterSeq, CancellationToken cancellationToken);
}
