using System.Diagnostics.CodeAnalysis;

namespace QuantumEdge.Federation.Identity;

/// <summary>
/// The origins whose envelopes this node accepts: the configured peers plus the node itself.
/// Envelopes of anyone else are refused (401 unknown_origin), even when relayed by a peer.
/// </summary>
public sealed class TrustList
{
    private readonly Dictionary<string, TrustedPeer> _byId = new(StringComparer.Ordinal);

    public TrustList(string selfId, ReadOnlyMemory<byte> selfPublicKey, IEnumerable<TrustedPeer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        Require(selfId, selfPublicKey.Span, "self");
        SelfId = selfId;
        _byId[selfId] = new TrustedPeer(selfId, selfPublicKey.ToArray(), null);
        var others = new List<TrustedPeer>();
        foreach (var peer in peers)
        {
            ArgumentNullException.ThrowIfNull(peer);
            Require(peer.Id, peer.PublicKey, $"peer '{peer.Id}'");
            if (!_byId.TryAdd(peer.Id, peer))
            {
                throw new ArgumentException($"federation peer id '{peer.Id}' appears twice (or is this node's own id).", nameof(peers));
            }

            others.Add(peer);
        }

        Peers = others;
    }

    /// <summary>This node's own id.</summary>
    public string SelfId { get; }

    /// <summary>The configured peers (not this node).</summary>
    public IReadOnlyList<TrustedPeer> Peers { get; }

    /// <summary>Every trusted origin id, this node included.</summary>
    public IEnumerable<string> Origins => _byId.Keys;

    public bool TryGet(string origin, [NotNullWhen(true)] out TrustedPeer? peer) => _byId.TryGetValue(origin, out peer);

    private static void Require(string id, ReadOnlySpan<byte> key, string what)
    {
        if (!NodeId.IsValid(id))
        {
            throw new ArgumentException($"federation {what}: id '{id}' must be 1-{NodeId.MaxLength} characters of a-z, 0-9, '.', '_', '-'.");
        }

        if (key.Length != FederationPublicKey.Size)
        {
            throw new ArgumentException($"federation {what}: public key must be {FederationPublicKey.Size} bytes, not {key.Length}.");
        }
    }
}
